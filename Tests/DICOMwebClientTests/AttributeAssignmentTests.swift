import DICOMCore
import Testing

@testable import DICOMwebClient

@Suite("-m attribute assignments")
struct AttributeAssignmentTests {
    @Test("keywords and tags take the dictionary VR; text is padded to even length")
    func keywordsAndTags() throws {
        let name = try AttributeAssignment(parsing: "PatientName=Doe^Jane")
        #expect(name.tag == Tag(0x0010_0010) && name.vr == .PN)
        #expect(try name.element().value.bytes == Array("Doe^Jane".utf8))
        let id = try AttributeAssignment(parsing: "00100020=ABC")
        #expect(id.tag == Tag(0x0010_0020) && id.vr == .LO)
        #expect(try id.element().value.bytes == Array("ABC ".utf8))
        let uid = try AttributeAssignment(parsing: "(0020,000D)=1.2.3")
        #expect(try uid.element().value.bytes == [0x31, 0x2E, 0x32, 0x2E, 0x33, 0])
    }

    @Test("several values split on backslash; binary VRs are encoded little endian")
    func binaryValues() throws {
        let rows = try AttributeAssignment(parsing: "Rows=512")
        #expect(try rows.element().value.bytes == [0x00, 0x02])
        let window = try AttributeAssignment(parsing: "WindowCenter=40\\400")
        #expect(window.values == ["40", "400"])
        #expect(try window.element().value.bytes == Array("40\\400".utf8))
        let explicit = try AttributeAssignment(parsing: "00091001:UL=7")
        #expect(try explicit.element().value.bytes == [7, 0, 0, 0])
    }

    @Test(
        "bad input is refused with a reason",
        arguments: [
            "PatientName", "NoSuchKeyword=1", "Rows=lots", "SeriesNumber=1.5", "00091001=x",
            "ReferencedSeriesSequence=1",
            "PixelData=00", "StudyInstanceUID=1.2.x", "PatientName:ZZ=x",
        ])
    func refused(_ text: String) {
        #expect(throws: DICOMwebClientError.self) { try AttributeAssignment(parsing: text) }
    }

    @Test("non-ASCII values ask for a Specific Character Set, which the wrapper adds")
    func unicode() throws {
        let name = try AttributeAssignment(parsing: "PatientName=Müller^Jürgen")
        #expect(name.needsUnicode)
        let wrapper = try InstanceWrapper(assignments: [name])
        #expect(wrapper.base.string(Tag(0x0008_0005)) == "ISO_IR 192")
        #expect(wrapper.base.string(Tag(0x0010_0010)) == "Müller^Jürgen")
    }
}
