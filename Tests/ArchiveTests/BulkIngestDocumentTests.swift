import Archive
import DICOMBinary
import DICOMCore
import DICOMweb
import Testing

private typealias T = DICOMCore.Tag

@Suite("Bulk ingest: encapsulated documents")
struct BulkIngestDocumentTests {
    @Test(
        "Documents get their SOP class, MIME type and unpadded length",
        arguments: [
            (MediaType.pdf, "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "1.2.840.10008.5.1.4.1.1.104.1"),
            (
                MediaType.textXML, "<?xml version=\"1.0\"?><ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>",
                "1.2.840.10008.5.1.4.1.1.104.2"
            ),
            (MediaType.stl, "solid cube\nendsolid cube\n", "1.2.840.10008.5.1.4.1.1.104.3"),
        ])
    func documents(mediaType: MediaType, content: String, sopClass: String) throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        var bytes = Array(content.utf8)
        if bytes.count % 2 == 0 { bytes.append(0x0A) }  // odd, to check the padding
        let metadata = Fixture.metadata(sopClass: nil, [Fixture.bulk(0x0042_0011, .OB, "doc")])
        let (built, file) = try scratch.build(metadata, [scratch.part(bytes, mediaType, location: "doc")])
        #expect(file.transferSyntax == .explicitVRLittleEndian)
        let ds = file.dataSet
        #expect(ds.string(T(0x0008_0016)) == sopClass)
        #expect(file.fileMeta.string(T(0x0002_0002)) == sopClass)
        #expect(ds.string(T(0x0042_0012)) == mediaType.essence)
        #expect(ds.int(T(0x0042_0015)) == bytes.count)
        #expect(ds[T(0x0042_0011)]?.vr == .OB)
        #expect(ds[T(0x0042_0011)]?.value.bytes == bytes + [0])
        #expect(built.warnings.isEmpty)
    }

    @Test("Content that is not what the media type says is refused")
    func notAPDF() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let metadata = Fixture.metadata(sopClass: nil, [Fixture.bulk(0x0042_0011, .OB, "doc")])
        let error = #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part(Array("hello".utf8), .pdf, location: "doc")])
        }
        #expect(error?.code == .invalidBulkContent)
    }

    @Test("A document media type cannot be Pixel Data")
    func pdfAsPixelData() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "px")])
        let error = #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part(Array("%PDF-1.4".utf8), .pdf, location: "px")])
        }
        #expect(error?.code == .unsupportedMediaType)
        #expect(error?.tag == .pixelData)
    }
}
