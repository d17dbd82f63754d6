import Archive
import DICOMBinary
import DICOMCore
import DICOMJSON
import DICOMweb
import Testing

private typealias T = DICOMCore.Tag

@Suite("Bulk ingest: from DICOM JSON metadata")
struct BulkIngestJSONTests {
    @Test("A DICOM JSON request with a PDF BulkDataURI becomes an Encapsulated PDF instance")
    func jsonPDF() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let json = """
            [{
              "00080018": {"vr": "UI", "Value": ["\(Fixture.instance)"]},
              "0020000D": {"vr": "UI", "Value": ["\(Fixture.study)"]},
              "0020000E": {"vr": "UI", "Value": ["\(Fixture.series)"]},
              "00080060": {"vr": "CS", "Value": ["DOC"]},
              "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}]},
              "00420010": {"vr": "ST", "Value": ["Report"]},
              "00420011": {"vr": "OB", "BulkDataURI": "http://example.com/studies/\(Fixture.study)/bulk/report"}
            }]
            """
        let metadata = try DICOMJSONDecoder.decode(Array(json.utf8))
        let pdf = Array("%PDF-1.7\n%%EOF\n".utf8)
        let part = scratch.part(pdf, .pdf, location: "/studies/\(Fixture.study)/bulk/report")
        let (built, file) = try scratch.build(metadata, [part])
        #expect(built.warnings.isEmpty)
        #expect(file.dataSet.string(T(0x0008_0016)) == "1.2.840.10008.5.1.4.1.1.104.1")
        #expect(file.dataSet.string(T(0x0010_0010)) == "Doe^Jane")
        #expect(file.dataSet[T(0x0042_0011)]?.value.bytes == pdf + [0])
        #expect(file.dataSet.int(T(0x0042_0015)) == pdf.count)
    }
}
