import DICOMCore
import DICOMweb
import Testing

/// ``QIDOQuery/init(identifier:)``: a C-FIND identifier read into the QIDO-RS query model (PS3.4 §C.4.1.1.3).
@Suite struct QIDOIdentifierTests {
    static func identifier(_ level: String?, _ elements: [DataElement]) -> DataSet {
        var dataSet = DataSet()
        if let level { dataSet.set(.text(Tag(0x0008_0052), .CS, level)) }
        for element in elements { dataSet.set(element) }
        return dataSet
    }

    static func failure(_ identifier: DataSet) -> QIDOQueryError? {
        do throws(QIDOQueryError) {
            _ = try QIDOQuery(identifier: identifier)
            return nil
        } catch {
            return error
        }
    }

    @Test func levelsChooseTheScope() throws {
        #expect(try QIDOQuery(identifier: Self.identifier("STUDY", [])).scope == .allStudies)
        #expect(try QIDOQuery(identifier: Self.identifier("SERIES ", [])).scope == .allSeries)
        #expect(try QIDOQuery(identifier: Self.identifier("IMAGE", [])).scope == .allInstances)
        #expect(Self.failure(Self.identifier("PATIENT", []))?.code == .invalidScope)
        #expect(Self.failure(Self.identifier(nil, []))?.code == .invalidScope)
    }

    /// The same keys as the equivalent QIDO-RS query: padding removed, wildcards, ranges, UID lists, value lists,
    /// empty values as return keys.
    @Test func valuesReadAsQueryParameters() throws {
        let query = try QIDOQuery(
            identifier: Self.identifier(
                "STUDY",
                [
                    DataElement(Tag(0x0010_0010), .PN, bytes: Array("DOE* ".utf8)),
                    .text(Tag(0x0008_0020), .DA, "20240101-20240131"),
                    .text(Tag(0x0008_0061), .CS, "CT\\MR"),
                    DataElement(Tag(0x0020_000D), .UI, bytes: Array("1.2.3\\1.2.4\0".utf8)),
                    DataElement(Tag(0x0010_0020), .LO, bytes: []),
                ]))
        let expected = try QIDOQuery.parse(
            queryItems: [
                ("ModalitiesInStudy", "CT\\MR"), ("StudyDate", "20240101-20240131"), ("PatientName", "DOE*"),
                ("PatientID", ""), ("StudyInstanceUID", "1.2.3\\1.2.4"),
            ], scope: .allStudies)
        #expect(Set(query.keys) == Set(expected.keys))
        #expect(query.keys.count == 5)
        let returned = Set(query.returnAttributes.map(\.tag))
        for tag in [0x0010_0010, 0x0008_0020, 0x0008_0061, 0x0020_000D, 0x0010_0020] as [UInt32] {
            #expect(returned.contains(Tag(tag)))
        }
        #expect(!returned.contains(Tag(0x0008_0052)))
        #expect(query.offset == 0 && query.limit == nil)
    }

    @Test func characterSetAndBinaryValues() throws {
        let query = try QIDOQuery(
            identifier: Self.identifier(
                "IMAGE",
                [
                    .text(.specificCharacterSet, .CS, "ISO_IR 100"),
                    DataElement(Tag(0x0010_0010), .PN, bytes: [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72]),  // Müller
                    .unsignedShort(Tag(0x0028_0010), 512),
                ]))
        let byTag = Dictionary(uniqueKeysWithValues: query.keys.map { ($0.path.tag, $0.matching) })
        #expect(byTag[Tag(0x0010_0010)] == .personName("Müller"))
        #expect(byTag[Tag(0x0028_0010)] == .integer(512))
        #expect(byTag[.specificCharacterSet] == nil)
    }

    @Test func sequencesMatchWithinOneItem() throws {
        var item = DataSet()
        item.set(.text(Tag(0x0040_0009), .SH, "SPS1"))
        item.set(DataElement(Tag(0x0040_1001), .SH, bytes: []))
        let query = try QIDOQuery(
            identifier: Self.identifier(
                "SERIES",
                [DataElement(Tag(0x0040_0275), items: [item]), DataElement(Tag(0x0008_1111), items: [])]))
        let nested = try #require(query.keys.first { $0.path.tags == [Tag(0x0040_0275), Tag(0x0040_0009)] })
        #expect(nested.matching == .text("SPS1"))
        #expect(
            query.keys.contains { $0.path.tags == [Tag(0x0040_0275), Tag(0x0040_1001)] && $0.matching == .universal })
        #expect(query.keys.contains { $0.path.tags == [Tag(0x0008_1111)] && $0.matching == .universal })

        var matching = DataSet()
        var stored = DataSet()
        stored.set(.text(Tag(0x0040_0009), .SH, "SPS1"))
        matching.set(DataElement(Tag(0x0040_0275), items: [stored]))
        #expect(query.matches(matching))
        #expect(!query.matches(DataSet()))

        let two = Self.identifier("SERIES", [DataElement(Tag(0x0040_0275), items: [item, item])])
        #expect(Self.failure(two)?.code == .unsupportedMatching)
    }

    @Test func invalidValuesNameTheAttribute() {
        let error = Self.failure(Self.identifier("STUDY", [.text(Tag(0x0008_0020), .DA, "2024-13-45")]))
        #expect(error?.code == .invalidValue)
        #expect(error?.parameter == "StudyDate")
        #expect(error?.message.contains("2024") == false)
    }
}
