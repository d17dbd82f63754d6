import DICOMweb
import Testing

@Suite struct DICOMwebExportsTests {
    /// The DICOMweb target sees the core model and the dictionary.
    @Test func coreTypesAreAvailable() {
        #expect(DataDictionary.tag(forKeyword: "PatientName") == DICOMCore.Tag(0x0010_0010))
    }
}
