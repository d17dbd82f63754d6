import DICOMBinary
import LanternTestSupport
import Testing

@Suite struct DataSetValuesTests {
    @Test func typedAccessorsDecodeCharacterSetsAndNumbers() throws {
        let path = try #require(Corpus.files.first { $0.hasSuffix("chrRuss.dcm") })
        let ds = try DICOMReader.read(contentsOf: path).dataSet
        #expect(ds.string(DICOMCore.Tag(0x0010_0010)) == "Люкceмбypг")
        let ct = try DICOMReader.read(contentsOf: try #require(Corpus.files.first { $0.hasSuffix("CT_small.dcm") }))
        #expect(ct.dataSet.int(DICOMCore.Tag(0x0028_0010)) == 128)
        #expect(ct.dataSet.string(DICOMCore.Tag(0x0008_0060)) == "CT")
        #expect(ct.dataSet.string(DICOMCore.Tag(0x0008_0050)) == nil)  // zero-length
        #expect(try ct.dataSet.strings(DICOMCore.Tag(0x0008_0008)) == ["ORIGINAL", "PRIMARY", "AXIAL"])
    }
}
