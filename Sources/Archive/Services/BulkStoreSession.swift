import DICOMCore
import DICOMDictionary
import DICOMJSON
import DICOMXML
import DICOMweb
import NIOCore
import NIOPosix

/// One STOW-RS request of metadata and bulk data (PS3.18 §10.5.1.2.2–§10.5.1.2.3): metadata parts (DICOM JSON
/// arrays or native XML documents) and bulk data parts referenced from them by `BulkDataURI` /
/// `Content-Location`. Bulk parts stream to scratch files (``ScratchSpace``); at the end every data set of the metadata becomes
/// a Part 10 instance (``BulkInstanceBuilder``) that is stored like any other.
public struct BulkStoreSession {
    let store: StoreService
    let scratch: any ScratchSpace
    let pool = NIOThreadPool.singleton
    var metadata: [(xml: Bool, bytes: [UInt8])] = []
    var parts: [BulkDataPart] = []
    var current: (file: any ScratchFile, mediaType: MediaType, location: String?, length: UInt64)?
    var currentMetadata: (xml: Bool, bytes: [UInt8])?
    /// The metadata bytes of every part so far.
    var metadataBytes = 0
    /// Metadata larger than this, in all the parts of one request, is refused (it is held in memory to be
    /// decoded; a limit per part would let a request of many parts hold any amount).
    public static let metadataLimit = 64 << 20

    /// Starts a session writing scratch files in `scratch`.
    public init(store: StoreService, scratch: any ScratchSpace) {
        self.store = store
        self.scratch = scratch
    }

    /// A part starts. `mediaType` is its Content-Type (or the request's `type` when absent).
    public mutating func beginPart(mediaType: MediaType, contentLocation: String?) async throws {
        if mediaType.hasSameEssence(as: .dicomJSON) || mediaType.hasSameEssence(as: .dicomXML) {
            currentMetadata = (mediaType.hasSameEssence(as: .dicomXML), [])
            return
        }
        let scratch = self.scratch
        let file = try await pool.runIfActive { try scratch.makeFile() }
        current = (file, mediaType, contentLocation, 0)
    }

    /// The next bytes of the current part.
    public mutating func append(_ bytes: ArraySlice<UInt8>) async throws {
        if currentMetadata != nil {
            guard metadataBytes + bytes.count <= Self.metadataLimit else {
                throw ArchiveError(.tooLarge, "the metadata parts exceed \(Self.metadataLimit) bytes")
            }
            metadataBytes += bytes.count
            currentMetadata!.bytes += bytes
            return
        }
        guard let part = current else { return }
        let chunk = Array(bytes)
        try await pool.runIfActive { try chunk.withUnsafeBytes { try part.file.append($0) } }
        current!.length += UInt64(chunk.count)
    }

    /// The current part ends.
    public mutating func endPart() async {
        if let meta = currentMetadata {
            metadata.append(meta)
            currentMetadata = nil
        }
        if let part = current {
            parts.append(
                BulkDataPart(
                    mediaType: part.mediaType, contentLocation: part.location, file: part.file, length: part.length))
            current = nil
        }
    }

    /// Builds and prepares every instance the metadata describes, in order. Scratch files are released. Metadata
    /// that describes more than `maximumInstances` instances is refused before any is built (``ArchiveError``
    /// `tooLarge`): each costs a build and an outcome, and `[{},{},…]` describes millions in a few megabytes.
    public mutating func finish(_ target: IngestTarget, maximumInstances: Int = .max) async throws -> [IngestResult] {
        await endPart()
        defer { discard() }
        var results: [IngestResult] = []
        if metadata.isEmpty {
            results.append(
                .failed(
                    StoreOutcome(
                        sopClassUID: nil, sopInstanceUID: nil, failure: .cannotUnderstand,
                        comment: "no metadata part (application/dicom+json or +xml) in the request")))
        }
        var documents: [(dataSets: [DataSet], error: String?)] = []
        var count = 0
        for document in metadata {
            do {
                let dataSets =
                    document.xml
                    ? [try NativeXMLDecoder.decode(document.bytes)] : try DICOMJSONDecoder.decodeArray(document.bytes)
                count += dataSets.count
                documents.append((dataSets, nil))
            } catch {
                documents.append(([], "\(error)"))
            }
            if count > maximumInstances {
                throw ArchiveError(
                    .tooLarge, "the metadata describes more than \(maximumInstances) instances (max-parts)")
            }
        }
        metadata = []
        for document in documents {
            if let error = document.error {
                results.append(
                    .failed(
                        StoreOutcome(
                            sopClassUID: nil, sopInstanceUID: nil, failure: .cannotUnderstand,
                            comment: "unreadable metadata: \(error)")))
                continue
            }
            for dataSet in document.dataSets {
                results.append(await build(dataSet, target: target))
            }
        }
        return results
    }

    private func build(_ dataSet: DataSet, target: IngestTarget) async -> IngestResult {
        let parts = self.parts
        let scratch = self.scratch
        let sopClass = dataSet.string(Tag.sopClassUID)
        let sopInstance = dataSet.string(Tag.sopInstanceUID)
        let output: any ScratchFile
        do {
            output = try await pool.runIfActive { () throws -> any ScratchFile in
                let output = try scratch.makeFile()
                _ = try BulkInstanceBuilder.build(
                    metadata: dataSet, parts: parts, output: output, requiresStudy: target.category == nil)
                return output
            }
        } catch let error as BulkIngestError {
            let reason: StoreOutcome.Failure =
                error.code == .missingAttribute ? .dataSetDoesNotMatchSOPClass : .cannotUnderstand
            return .failed(
                StoreOutcome(
                    sopClassUID: sopClass, sopInstanceUID: sopInstance, failure: reason, comment: error.message))
        } catch {
            return .failed(
                StoreOutcome(
                    sopClassUID: sopClass, sopInstanceUID: sopInstance, failure: .processingFailure,
                    comment: "\(error)"))
        }
        var ingest = store.begin(target)
        do {
            var offset: UInt64 = 0
            while true {
                let at = offset
                let chunk: [UInt8] = try await pool.runIfActive {
                    var buffer = [UInt8](repeating: 0, count: bulkChunkSize)
                    let n = try buffer.withUnsafeMutableBytes { try output.read(at: at, into: $0) }
                    buffer.removeLast(buffer.count - n)
                    return buffer
                }
                if chunk.isEmpty { break }
                offset += UInt64(chunk.count)
                try await ingest.append(chunk[...])
            }
        } catch {
            await ingest.abort()
            return .failed(
                StoreOutcome(
                    sopClassUID: sopClass, sopInstanceUID: sopInstance, failure: .processingFailure,
                    comment: "\(error)"))
        }
        return await ingest.finish()
    }

    /// Releases the scratch files (also on a failed request): they are removed as the last reference goes.
    public mutating func discard() {
        current = nil
        parts = []
    }
}
