import Testing

@testable import DICOMCore

@Suite struct TagTests {
    @Test func packsGroupAndElement() {
        let tag = Tag(group: 0x0010, element: 0x0010)
        #expect(tag.rawValue == 0x0010_0010)
        #expect(tag.group == 0x0010 && tag.element == 0x0010)
        #expect(tag.description == "(0010,0010)")
        #expect(tag.hexString == "00100010")
    }

    @Test func parsesHexForms() {
        #expect(Tag(hex: "00100010") == Tag(0x0010_0010))
        #expect(Tag(hex: "(7fe0,0010)") == .pixelData)
        #expect(Tag(hex: "0010,0010") == Tag(0x0010_0010))
        #expect(Tag(hex: "0010001") == nil)
        #expect(Tag(hex: "0010001G") == nil)
    }

    @Test func privateTags() {
        #expect(Tag(0x0009_0010).isPrivateCreator)
        #expect(Tag(0x0009_1001).privateCreatorTag == Tag(0x0009_0010))
        #expect(!Tag(0x0008_0010).isPrivate)
        #expect(!Tag(0xFFFF_0010).isPrivate)
        #expect(!Tag(0x0003_1000).isPrivate)
    }

    @Test func dataSetKeepsTagOrder() {
        var ds = DataSet()
        ds.set(DataElement(Tag(0x0010_0020), .LO, bytes: Array("ID".utf8)))
        ds.set(DataElement(Tag(0x0008_0060), .CS, bytes: Array("CT".utf8)))
        ds.set(DataElement(Tag(0x0010_0010), .PN, bytes: Array("A^B".utf8)))
        ds.set(DataElement(Tag(0x0010_0020), .LO, bytes: Array("ID2".utf8)))
        #expect(ds.map(\.tag) == [Tag(0x0008_0060), Tag(0x0010_0010), Tag(0x0010_0020)])
        #expect(ds[Tag(0x0010_0020)]?.value.bytes == Array("ID2".utf8))
        #expect(ds.remove(Tag(0x0008_0060)) != nil)
        #expect(ds.count == 2)
    }
}
