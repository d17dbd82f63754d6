import DICOMCore
import DICOMImaging
import DICOMweb
import Testing

@testable import Archive

/// The decisions of ``RetrievePlanner``: frame lists, byte ranges, bulk data references, transfer syntax
/// choice and the reasons of a refusal, on instances stored in a temporary archive.
@Suite struct RetrievePlannerTests {
    static let explicitLE = "1.2.840.10008.1.2.1"
    static let implicitLE = "1.2.840.10008.1.2"
    static let jpegBaseline = "1.2.840.10008.1.2.4.50"

    // MARK: Frame lists

    @Test func frameListsKeepTheirOrderAndSpaces() throws {
        #expect(try BulkSelection.frameNumbers("3,1", count: 3) == [3, 1])
        #expect(try BulkSelection.frameNumbers(" 2 ,\t1", count: 2) == [2, 1])
    }

    @Test func malformedFrameListsAreInvalidAndMissingFramesNotFound() {
        func code(_ list: String, _ count: Int) -> ArchiveError.Code? {
            do {
                _ = try BulkSelection.frameNumbers(list, count: count)
                return nil
            } catch { return error.code }
        }
        #expect(code("0", 3) == .invalidRequest)
        #expect(code("1,,2", 3) == .invalidRequest)
        #expect(code("a", 3) == .invalidRequest)
        #expect(code("4", 3) == .notFound)
        #expect(code("99999999999999999999999", 3) == .notFound)
        // A list longer than the instance's frames would cost as many conversions as it names.
        #expect(code("1,1,1,1", 3) == .invalidRequest)
        do {
            _ = try BulkSelection.frameNumbers("1,1", count: 1)
            Issue.record("a list of two frames of a one-frame instance was accepted")
        } catch {
            #expect(error.message == "the frame list names 2 frames; the instance has 1")
        }
    }

    // MARK: Byte ranges

    @Test func byteRangesClampAndRefuse() throws {
        let closed = try #require(ByteRangeRequest("bytes=10-19", total: 100))
        #expect((closed.first, closed.last) == (10, 19))
        let open = try #require(ByteRangeRequest("bytes=95-", total: 100))
        #expect((open.first, open.last) == (95, 99))
        let suffix = try #require(ByteRangeRequest("bytes=-500", total: 100))
        #expect((suffix.first, suffix.last) == (0, 99))
        let huge = try #require(ByteRangeRequest("bytes=0-99999999999999999999999", total: 100))
        #expect(huge.last == 99)
        #expect(ByteRangeRequest("bytes=100-", total: 100) == nil)
        #expect(ByteRangeRequest("bytes=5-2", total: 100) == nil)
        #expect(ByteRangeRequest("bytes=0-1,3-4", total: 100) == nil)
        #expect(ByteRangeRequest("bytes=-0", total: 100) == nil)
        #expect(ByteRangeRequest("items=0-1", total: 100) == nil)
        #expect(ByteRangeRequest("bytes=0-0", total: 0) == nil)
    }

    @Test func aByteRangeIsCutFromTheStoredPieces() throws {
        // Two fragments of one frame, 10 and 20 bytes, stored apart.
        let pieces = [ByteRange(offset: 100, length: 10), ByteRange(offset: 500, length: 20)]
        let range = try #require(ByteRangeRequest("bytes=5-14", total: 30))
        #expect(range.slice(pieces) == [ByteRange(offset: 105, length: 5), ByteRange(offset: 500, length: 5)])
        let tail = try #require(ByteRangeRequest("bytes=-3", total: 30))
        #expect(tail.slice(pieces) == [ByteRange(offset: 517, length: 3)])
    }

    // MARK: Bulk data references

    @Test func bulkDataReferences() {
        #expect(BulkDataLocation("1234-56") == BulkDataLocation(offset: 1234, length: 56))
        #expect(BulkDataLocation("1234") == BulkDataLocation(offset: 1234, length: nil))
        #expect(BulkDataLocation("1-2-3") == nil)
        #expect(BulkDataLocation("x-2") == nil)
        #expect(BulkDataLocation("1-y") == nil)
        #expect(BulkDataLocation("99999999999999999999999")?.offset == .max)
    }

    // MARK: Offers and refusals

    @Test func codecDefaultsAreTheLosslessSyntaxOfEachFrameType() {
        let offers = TransferSyntaxOffers.encodedFrames(excluding: nil)
        let jpeg = offers.first { $0.mediaType == .jpeg }
        #expect(jpeg?.defaultTransferSyntax == JPEGCodec.losslessSV1)
        // Multipart first, then the bare types, one of each.
        #expect(offers.count % 2 == 0)
        #expect(offers.prefix(offers.count / 2).allSatisfy { $0.mediaType.hasSameEssence(as: .multipartRelated) })
        #expect(
            !TransferSyntaxOffers.encodedFrames(excluding: JPEGCodec.losslessSV1).contains {
                $0.transferSyntaxes.contains(JPEGCodec.losslessSV1)
            })
    }

    @Test func refusalsSayWhy() {
        #expect(
            RetrieveRefusal.notConvertible(sopInstanceUID: "1.2", stored: "1.2.840.10008.1.2.4.50", target: "1.2.3")
                .description == "instance 1.2 is stored in 1.2.840.10008.1.2.4.50 and cannot be converted to 1.2.3")
        #expect(
            RetrieveRefusal.severalFramesNeedMultipart(partType: "image/jpeg").description
                == "several frames need multipart/related; type=\"image/jpeg\"")
    }

    // MARK: Plans of stored instances

    /// A temporary archive holding corpus files, and a planner over it.
    struct Stored {
        let archive: StoreServiceTests.Archive
        let planner: RetrievePlanner
        let instances: [StoredInstance]

        init(_ suffixes: [String], defaultTransferSyntax: String = RetrievePlannerTests.explicitLE) async throws {
            archive = try StoreServiceTests.Archive()
            let retrieve = RetrieveService(index: archive.index, blobs: archive.blobs)
            var instances: [StoredInstance] = []
            for suffix in suffixes {
                let outcome = try await archive.store(StoreServiceTests.corpus(suffix))
                let (study, series, sop) = (
                    outcome.studyUID ?? "", outcome.seriesUID ?? "", outcome.sopInstanceUID ?? ""
                )
                instances += try await retrieve.instances(.instance(study: study, series: series, sop: sop))
            }
            self.instances = instances
            planner = RetrievePlanner(retrieve: retrieve, defaultTransferSyntax: defaultTransferSyntax)
        }
    }

    static func accept(_ text: String) -> AcceptHeader { AcceptHeader(text) }

    @Test func instancesWithoutANamedSyntaxGetTheServerDefault() async throws {
        let stored = try await Stored(["MR_small_implicit.dcm"])
        defer { stored.archive.remove() }
        let instance = stored.instances[0]
        #expect(instance.transferSyntaxUID == Self.implicitLE)
        let plan = try await stored.planner.planInstances(
            stored.instances, accept: Self.accept("multipart/related; type=\"application/dicom\""))
        #expect(plan.packaging == .multipart)
        #expect(plan.transferSyntax(of: instance) == Self.explicitLE)
        // A default of `*` keeps the stored syntax.
        let asStored = RetrievePlanner(retrieve: stored.planner.retrieve, defaultTransferSyntax: "*")
        let kept = try await asStored.planInstances(stored.instances, accept: Self.accept("application/dicom"))
        #expect(kept.packaging == .single)
        #expect(kept.transferSyntax(of: instance) == Self.implicitLE)
        let zip = try await asStored.planInstances(stored.instances, accept: Self.accept("application/zip"))
        #expect(zip.packaging == .zip)
    }

    @Test func aNamedSyntaxIsSentOrRefusedWithTheReason() async throws {
        let stored = try await Stored(["CT_small.dcm", "MR_small_jpeg_ls_lossless.dcm"])
        defer { stored.archive.remove() }
        let ct = stored.instances[0]
        let named = try await stored.planner.planInstances(
            [ct], accept: Self.accept("application/dicom; transfer-syntax=\(Self.implicitLE)"))
        #expect(named.packaging == .single)
        #expect(named.transferSyntax(of: ct) == Self.implicitLE)
        try await stored.planner.prepare(named)
        // No offer matches a syntax nobody can produce.
        await #expect {
            _ = try await stored.planner.planInstances(
                [ct], accept: Self.accept("application/dicom; transfer-syntax=1.2.3.4"))
        } throws: { error in
            guard case .noInstanceRepresentation(_, let syntaxes)? = error as? RetrieveRefusal else { return false }
            return syntaxes == [Self.explicitLE]
        }
        // application/dicom holds one instance.
        let both = try await stored.planner.planInstances(
            stored.instances, accept: Self.accept("application/dicom; transfer-syntax=*"))
        await #expect(throws: RetrieveRefusal.singlePartHoldsOneInstance) { try await stored.planner.prepare(both) }
    }

    @Test func framesAndTheirListsAreSelected() async throws {
        let stored = try await Stored(["CT_small.dcm"])
        defer { stored.archive.remove() }
        let ct = stored.instances[0]
        let one = try await stored.planner.frames(ct, list: "1")
        #expect(one.locations == ["frames/1"])
        #expect(one.parts.count == 1)
        #expect(one.parts[0].reduce(0) { $0 + $1.length } == 128 * 128 * 2)
        let all = try await stored.planner.frames(ct, list: nil)
        #expect(all.parts == one.parts)
        await #expect {
            _ = try await stored.planner.frames(ct, list: "2")
        } throws: { ($0 as? ArchiveError)?.code == .notFound }
        // The top-level Pixel Data's reference resolves to its frames; a value past the end is not there.
        let pixelData = try await stored.planner.bulkData(ct, reference: "\(try #require(ct.pixelDataOffset))")
        #expect(pixelData.parts == one.parts && pixelData.locations == nil && !pixelData.plainBulk)
        await #expect {
            _ = try await stored.planner.bulkData(ct, reference: "\(ct.size)-10")
        } throws: { ($0 as? ArchiveError)?.code == .notFound }
    }

    @Test func aConversionTheCodecsCannotMakeGivesWayToTheNextRange() async throws {
        let stored = try await Stored(["CT_small.dcm"])
        defer { stored.archive.remove() }
        let ct = stored.instances[0]
        let frames = try await stored.planner.frames(ct, list: "1")
        // JPEG baseline holds 8 or 12 bits; these frames have 16.
        let baseline = "multipart/related; type=\"image/jpeg\"; transfer-syntax=\(Self.jpegBaseline)"
        let fallback = try await stored.planner.planBulk(
            ct, frames,
            accept: Self.accept(baseline + ", multipart/related; type=\"application/octet-stream\"; q=0.5"))
        #expect(fallback.multipart)
        #expect(fallback.transferSyntax == Self.explicitLE)
        #expect(fallback.partMediaType.essence == "application/octet-stream")
        await #expect(throws: CodecError.self) {
            _ = try await stored.planner.planBulk(ct, frames, accept: Self.accept(baseline))
        }
        // Nothing matches at all: the reason names what the frames can be sent as.
        await #expect {
            _ = try await stored.planner.planBulk(ct, frames, accept: Self.accept("image/png"))
        } throws: { error in
            guard let refusal = error as? RetrieveRefusal, case .noFrameRepresentation = refusal else { return false }
            return refusal.description.hasSuffix(
                "(frames stored in \(Self.explicitLE) can be sent as stored, decoded to \(Self.explicitLE) or encoded in \(FrameCodecs.encodable.joined(separator: ", ")))"
            )
        }
        // A lossless encoding is planned with the stored geometry, and converts the frame.
        let lossless = try await stored.planner.prepare(
            try await stored.planner.planBulk(
                ct, frames, accept: Self.accept("image/jpeg; transfer-syntax=\(JPEGCodec.losslessSV1)")))
        #expect(!lossless.multipart && lossless.encodingTo == JPEGCodec.losslessSV1 && lossless.convertsFrames)
        let frame = try #require(try await stored.planner.frame(lossless, at: 0))
        #expect(frame.prefix(2) == [0xFF, 0xD8])
    }

    @Test func severalFramesNeedAMultipartType() async throws {
        let stored = try await Stored(["CT_small.dcm"])
        defer { stored.archive.remove() }
        let ct = stored.instances[0]
        let one = try await stored.planner.frames(ct, list: "1")
        let twice = BulkSelection(parts: one.parts + one.parts)
        let plan = try await stored.planner.planBulk(ct, twice, accept: Self.accept("application/octet-stream"))
        #expect(!plan.multipart && !plan.convertsFrames)
        await #expect(throws: RetrieveRefusal.severalFramesNeedMultipart(partType: "application/octet-stream")) {
            _ = try await stored.planner.prepare(plan)
        }
        #expect(try await stored.planner.frame(plan, at: 0) == nil)
    }
}
