import DICOMCore
import DICOMImaging
import DICOMweb
import Testing

@testable import Archive

/// The decisions of ``RenderService`` that need no pixels: what renders as what, which instance a thumbnail
/// shows, the WADO-URI viewport, the GIF frame delay; and documents and reports of stored instances.
@Suite struct RenderServiceTests {
    static func instance(
        _ sop: String, series: String = "1.2.3.1", sopClass: String = "1.2.840.10008.5.1.4.1.1.2",
        syntax: String = "1.2.840.10008.1.2.1", image: Bool = true
    ) -> StoredInstance {
        StoredInstance(
            studyUID: "1.2.3", seriesUID: series, sopInstanceUID: sop, sopClassUID: sopClass,
            transferSyntaxUID: syntax, blobKey: BlobKey.random(), size: 1000,
            pixelLayout: image ? .native(offset: 500, frameLength: 100, frames: 1) : nil,
            pixelDataOffset: image ? 500 : nil, storedAt: 0)
    }

    @Test func sopClassesAndSyntaxesDecideWhatRenders() {
        let mpeg4 = Self.instance("1", syntax: "1.2.840.10008.1.2.4.102")
        #expect(RenderService.isVideo(mpeg4) && !RenderService.isImage(mpeg4))
        #expect(RenderService.documentType(mpeg4) == .mp4)
        let pdf = Self.instance("2", sopClass: RenderService.encapsulatedPDF, image: false)
        #expect(RenderService.documentType(pdf) == .pdf && !RenderService.isImage(pdf))
        let cda = Self.instance("3", sopClass: RenderService.encapsulatedCDA, image: false)
        #expect(RenderService.documentType(cda)?.essence == "text/xml")
        let ct = Self.instance("4")
        #expect(RenderService.isImage(ct) && RenderService.documentType(ct) == nil)
    }

    @Test func aThumbnailShowsTheMiddleImageOfTheFirstSeriesWithImages() throws {
        let report = Self.instance("0", series: "1.2.3.0", sopClass: "1.2.840.10008.5.1.4.1.1.88.11", image: false)
        let first = (1...3).map { Self.instance("1.\($0)", series: "1.2.3.1") }
        let second = (1...5).map { Self.instance("2.\($0)", series: "1.2.3.2") }
        let study = [report] + first + second
        #expect(try RenderService.thumbnailInstance(study, of: .study("1.2.3")).sopInstanceUID == "1.2")
        #expect(
            try RenderService.thumbnailInstance(second, of: .series(study: "1.2.3", series: "1.2.3.2")).sopInstanceUID
                == "2.3")
        #expect {
            _ = try RenderService.thumbnailInstance([report], of: .study("1.2.3"))
        } throws: { ($0 as? ArchiveError)?.message == "the study holds no image" }
        #expect {
            _ = try RenderService.thumbnailInstance([report], of: .series(study: "1.2.3", series: "1.2.3.0"))
        } throws: { ($0 as? ArchiveError)?.message == "the series holds no image" }
        #expect {
            _ = try RenderService.thumbnailInstance(
                [report], of: .instance(study: "1.2.3", series: "1.2.3.0", sop: "0"))
        } throws: { ($0 as? ArchiveError)?.code == .notAcceptable }
    }

    @Test func theURIViewportFitsTheRegion() throws {
        #expect(RenderService.viewport(region: nil, rows: nil, columns: nil) == nil)
        let fitted = try #require(RenderService.viewport(region: nil, rows: 64, columns: nil))
        #expect((fitted.width, fitted.height) == (16384, 64))
        let region = Viewport(width: 1, height: 1, sourceX: 10, sourceY: 20, sourceWidth: 99.6, sourceHeight: 50.2)
        let own = try #require(RenderService.viewport(region: region, rows: nil, columns: nil))
        #expect((own.width, own.height, own.sourceX) == (100, 50, 10))
    }

    @Test func gifDelaysComeFromFrameTimeOrCineRate() {
        var attributes = DataSet()
        #expect(RenderService.frameDelay(attributes) == 10)
        attributes.set(DataElement(Tag(0x0018_0040), .IS, bytes: Array("25".utf8)))
        #expect(RenderService.frameDelay(attributes) == 4)
        attributes.set(DataElement(Tag(0x0018_1063), .DS, bytes: Array("1e300 ".utf8)))
        #expect(RenderService.frameDelay(attributes) == 65535)
    }

    @Test func aStoredPDFEndsBeforeItsPadding() async throws {
        let stored = try await RetrievePlannerTests.Stored(["CT_small.dcm"])
        defer { stored.archive.remove() }
        let render = RenderService(retrieve: stored.planner.retrieve)
        // An image is no document and no report.
        #expect(try await render.document(stored.instances[0]) == nil)
        #expect(try await render.report(stored.instances[0]) == nil)
        // A PDF without its Encapsulated Document is refused with the reason.
        var pdf = stored.instances[0]
        pdf.sopClassUID = RenderService.encapsulatedPDF
        pdf.pixelLayout = nil
        await #expect {
            _ = try await render.document(pdf)
        } throws: { ($0 as? ArchiveError)?.message == "the instance holds no Encapsulated Document to render" }
    }
}
