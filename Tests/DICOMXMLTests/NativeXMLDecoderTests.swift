import DICOMXML
import Testing

@Suite struct NativeXMLDecoderTests {
    @Test func readsDocumentsWithAndWithoutNamespaceOrPrefix() throws {
        let body = "<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\">ID1</Value></DicomAttribute>"
        let expected = DataSet([text(0x0010_0020, .LO, "ID1")])
        #expect(try decode(document(body)) == expected)
        #expect(try decode("<NativeDicomModel>\(body)</NativeDicomModel>") == expected)
        let prefixed = """
            <?xml version='1.0' encoding='utf-8' standalone='yes'?>
            <!-- written by hand -->
            <d:NativeDicomModel xmlns:d="http://dicom.nema.org/PS3.19/models/NativeDICOM" xml:space="preserve">
              <d:DicomAttribute tag="00100020" vr="LO"><d:Value number="1">ID1</d:Value></d:DicomAttribute>
            </d:NativeDicomModel>
            <?trailing processing instruction?>
            """
        #expect(try decode(prefixed) == expected)
    }

    @Test func missingVRComesFromTheDictionary() throws {
        let ds = try decode(
            document("<DicomAttribute tag=\"00280010\"><Value number=\"1\">512</Value></DicomAttribute>"))
        #expect(ds[Tag(0x0028_0010)] == words(0x0028_0010, .US, [UInt16(512)]))
        let pn = try decode(document("<DicomAttribute tag=\"00100010\"><PersonName number=\"1\"/></DicomAttribute>"))
        #expect(pn[Tag(0x0010_0010)]?.vr == .PN)
    }

    @Test func valuesAreOrderedByNumberAndGapsAreEmpty() throws {
        let ds = try decode(
            document(
                "<DicomAttribute tag=\"00080008\" vr=\"CS\"><Value number=\"3\">C</Value><Value number=\"1\">A</Value></DicomAttribute>"
            ))
        #expect(ds[Tag(0x0008_0008)]?.value.bytes == Array("A\\\\C".utf8))
    }

    @Test func numbersToleratesSurroundingSpace() throws {
        let ds = try decode(
            document(
                "<DicomAttribute tag=\"00280010\" vr=\"US\"><Value number=\"1\"> 512\n</Value></DicomAttribute>"
                    + "<DicomAttribute tag=\"00189087\" vr=\"FD\"><Value number=\"1\">1e3</Value><Value number=\"2\">nan</Value></DicomAttribute>"
            ))
        #expect(ds[Tag(0x0028_0010)]?.value.bytes == [0x00, 0x02])
        let fd = try #require(ds[Tag(0x0018_9087)]?.value.bytes)
        #expect(fd.count == 16)
    }

    @Test func textMayUseReferencesAndCDATA() throws {
        let ds = try decode(
            document(
                "<DicomAttribute tag=\"00080080\" vr=\"LT\"><Value number=\"1\">a&#13;&#10;b &lt;<![CDATA[<c> & ]]>&#x5C;&apos;&quot;<!-- x --></Value></DicomAttribute>"
            ))
        #expect(ds[Tag(0x0008_0080)]?.value.bytes == Array("a\r\nb <<c> & \\'\"".utf8))
    }

    @Test func legacyAndDcm4cheForms() throws {
        // SingleByte (the pre-2008 name of Alphabetic), BulkData uuid, DataFragment, and private elements
        // written with the block byte masked and no creator element (as dcm4che writes them).
        let ds = try decode(
            document(
                """
                <DicomAttribute tag="00100010" vr="PN"><PersonName number="1"><SingleByte><FamilyName>Doe</FamilyName></SingleByte></PersonName></DicomAttribute>
                <DicomAttribute tag="00191010" vr="LO" privateCreator="FULL FORM"><Value number="1">f</Value></DicomAttribute>
                <DicomAttribute tag="00290010" vr="LO" privateCreator="MASKED"><Value number="1">m</Value></DicomAttribute>
                <DicomAttribute tag="00290011" vr="LO" privateCreator="MASKED"><Value number="1">n</Value></DicomAttribute>
                <DicomAttribute tag="00420011" vr="OB"><BulkData uuid="1234"/></DicomAttribute>
                <DicomAttribute tag="7FE00010" vr="OB"><DataFragment number="2"><InlineBinary>AQI=</InlineBinary></DataFragment></DicomAttribute>
                """))
        #expect(ds[Tag(0x0010_0010)]?.value.bytes == Array("Doe".utf8))
        #expect(ds[Tag(0x0019_0010)]?.value.bytes == Array("FULL FORM".utf8))
        #expect(ds[Tag(0x0019_1010)]?.value.bytes == Array("f".utf8))
        #expect(ds[Tag(0x0029_0010)]?.value.bytes == Array("MASKED".utf8))
        #expect(ds[Tag(0x0029_1010)]?.value.bytes == Array("m".utf8))
        #expect(ds[Tag(0x0029_1011)]?.value.bytes == Array("n".utf8))
        #expect(ds[Tag(0x0042_0011)]?.value == .bulk(BulkDataReference(uri: "urn:uuid:1234")))
        #expect(ds[.pixelData]?.value == .encapsulated(EncapsulatedPixelData(fragments: [[1, 2]])))
    }

    @Test func maskedPrivateElementsJoinAnExistingBlock() throws {
        let ds = try decode(
            document(
                """
                <DicomAttribute tag="00290010" vr="LO"><Value number="1">OTHER</Value></DicomAttribute>
                <DicomAttribute tag="00290011" vr="LO"><Value number="1">MINE</Value></DicomAttribute>
                <DicomAttribute tag="00290005" vr="LO" privateCreator="MINE"><Value number="1">x</Value></DicomAttribute>
                <DicomAttribute tag="00290006" vr="LO" privateCreator="NEW"><Value number="1">y</Value></DicomAttribute>
                """))
        #expect(ds[Tag(0x0029_1105)]?.value.bytes == Array("x".utf8))
        #expect(ds[Tag(0x0029_0012)]?.value.bytes == Array("NEW".utf8))
        #expect(ds[Tag(0x0029_1206)]?.value.bytes == Array("y".utf8))
    }

    @Test func creatorElementsMayNameThemselves() throws {
        let ds = try decode(
            document(
                """
                <DicomAttribute tag="00290010" vr="LO" privateCreator="ACME"><Value number="1">ACME</Value></DicomAttribute>
                <DicomAttribute tag="00291001" vr="LO" privateCreator="ACME"><Value number="1">v</Value></DicomAttribute>
                """))
        #expect(ds == DataSet([text(0x0029_0010, .LO, "ACME"), text(0x0029_1001, .LO, "v")]))
    }

    @Test func groupLengthsAreDropped() throws {
        var warnings: [String] = []
        let ds = try NativeXMLDecoder.decode(
            Array(
                document(
                    "<DicomAttribute tag=\"00080000\" vr=\"UL\"><Value number=\"1\">4</Value></DicomAttribute>"
                ).utf8), warnings: &warnings)
        #expect(ds.isEmpty)
        #expect(warnings.count == 1)
    }

    @Test func attributesMayComeInAnyOrderAndTheFirstDuplicateWins() throws {
        var warnings: [String] = []
        let ds = try NativeXMLDecoder.decode(
            Array(
                document(
                    "<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\">a</Value></DicomAttribute>"
                        + "<DicomAttribute tag=\"00080060\" vr=\"CS\"><Value number=\"1\">CT</Value></DicomAttribute>"
                        + "<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\">b</Value></DicomAttribute>"
                ).utf8), warnings: &warnings)
        #expect(ds == DataSet([text(0x0008_0060, .CS, "CT"), text(0x0010_0020, .LO, "a")]))
        #expect(warnings.count == 1)
    }

    @Test func modelErrorsSayWhere() throws {
        let unexpected = try #require(decodeError("<NativeDicomModel>\n  <Bogus/>\n</NativeDicomModel>"))
        #expect(unexpected.code == .invalidModel)
        #expect(unexpected.line == 2 && unexpected.column == 3)

        let nested = try #require(
            decodeError(
                document(
                    "<DicomAttribute tag=\"00081115\" vr=\"SQ\"><Item number=\"2\"><DicomAttribute tag=\"00280010\" vr=\"US\"><Value number=\"1\">x</Value></DicomAttribute></Item></DicomAttribute>"
                )))
        #expect(nested.code == .invalidValue)
        #expect(nested.path == "(0008,1115)[2]>(0028,0010)")
        #expect(nested.description.contains("line 1"))
    }

    @Test(arguments: [
        ("<DicomAttribute vr=\"LO\"/>", XMLModelError.Code.invalidModel),
        ("<DicomAttribute tag=\"0010002\" vr=\"LO\"/>", .invalidModel),
        ("<DicomAttribute tag=\"00100020\" vr=\"XX\"/>", .invalidModel),
        ("<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"0\">a</Value></DicomAttribute>", .invalidModel),
        (
            "<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\">a</Value><Value number=\"1\">b</Value></DicomAttribute>",
            .invalidModel
        ),
        (
            "<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"100000\">a</Value></DicomAttribute>",
            .invalidModel
        ),
        ("<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\"><b/></Value></DicomAttribute>", .invalidModel),
        ("<DicomAttribute tag=\"00100020\" vr=\"LO\">text</DicomAttribute>", .invalidModel),
        (
            "<DicomAttribute tag=\"00081115\" vr=\"SQ\"><Item number=\"1\"/><Value number=\"1\">a</Value></DicomAttribute>",
            .invalidModel
        ),
        ("<DicomAttribute tag=\"00091001\" vr=\"OB\"><Value number=\"1\">a</Value></DicomAttribute>", .invalidModel),
        ("<DicomAttribute tag=\"00100020\" vr=\"LO\"><Item number=\"1\"/></DicomAttribute>", .invalidModel),
        ("<DicomAttribute tag=\"00091001\" vr=\"OB\"><InlineBinary>!!</InlineBinary></DicomAttribute>", .invalidValue),
        ("<DicomAttribute tag=\"00280010\" vr=\"US\"><Value number=\"1\">-1</Value></DicomAttribute>", .invalidValue),
        ("<DicomAttribute tag=\"00280010\" vr=\"US\"><Value number=\"2\">1</Value></DicomAttribute>", .invalidValue),
        (
            "<DicomAttribute tag=\"00720026\" vr=\"AT\"><Value number=\"1\">0010001G</Value></DicomAttribute>",
            .invalidValue
        ),
        ("<DicomAttribute tag=\"00080008\" vr=\"CS\"><Value number=\"1\">A\\B</Value></DicomAttribute>", .invalidValue),
        ("<DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\">山田</Value></DicomAttribute>", .invalidValue),
        (
            "<DicomAttribute tag=\"00100010\" vr=\"PN\"><PersonName number=\"1\"><Alphabetic/><Alphabetic/></PersonName></DicomAttribute>",
            .invalidModel
        ),
        (
            "<DicomAttribute tag=\"00100010\" vr=\"PN\"><PersonName number=\"1\"><Alphabetic><Nick>x</Nick></Alphabetic></PersonName></DicomAttribute>",
            .invalidModel
        ),
    ])
    func rejectsInvalidModels(body: String, code: XMLModelError.Code) {
        let error = decodeError(document(body))
        #expect(error?.code == code, "\(body): \(String(describing: error))")
    }

    @Test func rootMustBeNativeDicomModel() {
        #expect(decodeError("<DicomAttribute tag=\"00100020\" vr=\"LO\"/>")?.code == .invalidModel)
    }
}
