import DICOMXML
import Testing

@Suite struct NativeXMLEncoderTests {
    @Test func rootDeclaresTheNamespaceAndPreservesSpace() {
        let out = xml(DataSet([text(0x0010_0020, .LO, "ID1")]))
        #expect(
            out
                == document(
                    "<DicomAttribute tag=\"00100020\" vr=\"LO\" keyword=\"PatientID\"><Value number=\"1\">ID1</Value></DicomAttribute>"
                ))
        #expect(xml(DataSet()).hasSuffix("xml:space=\"preserve\"/>"))
    }

    @Test func prettyPrintedLayout() {
        let item = DataSet([text(0x0008_0100, .SH, "T-1")])
        let ds = DataSet([
            text(0x0010_0010, .PN, "Doe^Jane"), DataElement(Tag(0x0008_1115), items: [item, DataSet()]),
        ])
        let expected = """
            <?xml version="1.0" encoding="UTF-8"?>
            <NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM" xml:space="preserve">
              <DicomAttribute tag="00081115" vr="SQ" keyword="ReferencedSeriesSequence">
                <Item number="1">
                  <DicomAttribute tag="00080100" vr="SH" keyword="CodeValue">
                    <Value number="1">T-1</Value>
                  </DicomAttribute>
                </Item>
                <Item number="2"/>
              </DicomAttribute>
              <DicomAttribute tag="00100010" vr="PN" keyword="PatientName">
                <PersonName number="1">
                  <Alphabetic>
                    <FamilyName>Doe</FamilyName>
                    <GivenName>Jane</GivenName>
                  </Alphabetic>
                </PersonName>
              </DicomAttribute>
            </NativeDicomModel>

            """
        #expect(xml(ds, pretty: true) == expected)
    }

    /// One attribute of every VR; each value is already in the form the model writes, so the round trip
    /// gives the same bytes (after padding).
    @Test func everyVRRoundTrips() throws {
        let elements: [DataElement] = [
            text(0x0008_0054, .AE, "STORESCP"),
            text(0x0010_1010, .AS, "034Y"),
            words(0x0072_0026, .AT, [UInt16(0x0010), 0x0010, 0x7FE0, 0x0010]),
            text(0x0008_0008, .CS, "ORIGINAL\\PRIMARY"),
            text(0x0008_0020, .DA, "20240131"),
            text(0x0028_0030, .DS, "0.5\\-2e3"),
            text(0x0008_002A, .DT, "20240131120000.5+0100"),
            words(0x0018_9087, .FD, [Double(1.25).bitPattern, Double(-0.5).bitPattern]),
            words(0x0018_9306, .FL, [Float(3.5).bitPattern]),
            text(0x0020_0013, .IS, "12\\-4"),
            text(0x0008_0070, .LO, "Lantern"),
            text(0x0008_0080, .LT, "line one\r\nline two"),
            DataElement(Tag(0x0009_1001), .OB, bytes: [1, 2, 3, 4]),
            words(0x7FE0_0009, .OD, [Double(2).bitPattern]),
            words(0x7FE0_0008, .OF, [Float(1).bitPattern, Float(-1).bitPattern]),
            words(0x0066_0040, .OL, [UInt32(7), 9]),
            words(0x0066_0129, .OV, [UInt64(1) << 40]),
            words(0x0028_1201, .OW, [UInt16(0xFFFF), 0x1234]),
            text(0x0010_0010, .PN, "Doe^Jane^^Dr"),
            text(0x0008_0050, .SH, "ACC-1"),
            words(0x0018_6020, .SL, [Int32(-70000)]),
            DataElement(Tag(0x0040_0275), items: [DataSet([text(0x0040_0007, .LO, "step")])]),
            words(0x0028_0106, .SS, [Int16(-3), 4]),
            text(0x0008_0081, .ST, "  leading spaces kept"),
            words(0x0072_0082, .SV, [Int64(-5_000_000_000)]),
            text(0x0008_0030, .TM, "120000.25"),
            text(0x0010_2201, .UC, "unlimited characters"),
            text(0x0008_0016, .UI, "1.2.840.10008.5.1.4.1.1.7"),
            words(0x0028_0008, .UL, [UInt32(4_000_000_000)]),
            DataElement(Tag(0x0009_1002), .UN, bytes: [0xDE, 0xAD, 0xBE, 0xEF]),
            text(0x0008_0190, .UR, "http://example.com/a?b=c&d=e"),
            words(0x0028_0010, .US, [UInt16(512)]),
            text(0x0040_A160, .UT, "report <b>&amp;</b> \"quoted\""),
            words(0x0072_0083, .UV, [UInt64.max]),
        ]
        #expect(Set(elements.map(\.vr)) == Set(VR.allCases))
        let ds = DataSet(elements)
        let (out, warnings) = encodeWithWarnings(ds)
        #expect(warnings.isEmpty)
        #expect(out.contains("<Value number=\"1\">00100010</Value><Value number=\"2\">7FE00010</Value>"))
        #expect(out.contains("<Value number=\"1\">1.25</Value><Value number=\"2\">-0.5</Value>"))
        #expect(out.contains("<Value number=\"1\">-5000000000</Value>"))
        #expect(out.contains("<Value number=\"1\">18446744073709551615</Value>"))
        #expect(out.contains("<InlineBinary>AQIDBA==</InlineBinary>"))
        #expect(out.contains("<Value number=\"1\">line one&#13;\nline two</Value>"))
        #expect(out.contains("<Value number=\"1\">report &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;quoted&quot;</Value>"))
        #expect(out.contains("<Value number=\"1\">http://example.com/a?b=c&amp;d=e</Value>"))
        #expect(out.contains("<NamePrefix>Dr</NamePrefix>"))
        let back = try decode(out)
        #expect(back.count == ds.count)
        for element in ds {
            let decoded = try #require(back[element.tag], "\(element.tag)")
            #expect(decoded.vr == element.vr, "\(element.tag)")
            if case .bytes(let b) = element.value {
                #expect(decoded.value.bytes.map { padded($0, element.vr) } == padded(b, element.vr), "\(element.vr)")
            } else {
                #expect(decoded.value == element.value, "\(element.vr)")
            }
        }
        #expect(xml(back) == out)
    }

    @Test func emptyValuesAndZeroLengthAttributes() throws {
        let ds = DataSet([
            text(0x0008_0008, .CS, "A\\\\C"),
            text(0x0008_0060, .CS, ""),
            text(0x0010_0010, .PN, "Doe^^Middle\\\\Roe"),
            words(0x0028_0010, .US, [UInt16]()),
            DataElement(Tag(0x0008_1115), items: []),
        ])
        let out = xml(ds)
        #expect(
            out.contains(
                "<DicomAttribute tag=\"00080008\" vr=\"CS\" keyword=\"ImageType\"><Value number=\"1\">A</Value><Value number=\"2\"/><Value number=\"3\">C</Value></DicomAttribute>"
            ))
        #expect(out.contains("<DicomAttribute tag=\"00080060\" vr=\"CS\" keyword=\"Modality\"/>"))
        #expect(out.contains("<DicomAttribute tag=\"00280010\" vr=\"US\" keyword=\"Rows\"/>"))
        #expect(out.contains("<DicomAttribute tag=\"00081115\" vr=\"SQ\" keyword=\"ReferencedSeriesSequence\"/>"))
        #expect(
            out.contains(
                "<PersonName number=\"1\"><Alphabetic><FamilyName>Doe</FamilyName><MiddleName>Middle</MiddleName></Alphabetic></PersonName><PersonName number=\"2\"/><PersonName number=\"3\">"
            ))
        let back = try decode(out)
        #expect(back[Tag(0x0008_0008)]?.value.bytes == Array("A\\\\C".utf8))
        #expect(back[Tag(0x0008_0060)]?.value.bytes == [])
        #expect(back[Tag(0x0010_0010)]?.value.bytes == Array("Doe^^Middle\\\\Roe".utf8))
        #expect(back[Tag(0x0008_1115)]?.value == .sequence([]))
        #expect(xml(back) == out)
    }

    @Test func personNameWithThreeGroups() throws {
        let ds = DataSet([
            text(0x0008_0005, .CS, "ISO_IR 192"),
            text(0x0010_0010, .PN, "Yamada^Tarou=山田^太郎=やまだ^たろう"),
        ])
        let out = xml(ds)
        #expect(
            out.contains(
                "<PersonName number=\"1\"><Alphabetic><FamilyName>Yamada</FamilyName><GivenName>Tarou</GivenName></Alphabetic>"
                    + "<Ideographic><FamilyName>山田</FamilyName><GivenName>太郎</GivenName></Ideographic>"
                    + "<Phonetic><FamilyName>やまだ</FamilyName><GivenName>たろう</GivenName></Phonetic></PersonName>"))
        let back = try decode(out)
        #expect(back[Tag(0x0010_0010)]?.value.bytes == Array("Yamada^Tarou=山田^太郎=やまだ^たろう".utf8))
    }

    /// The PS3.5 §H.3.1 example: ISO 2022 IR 87 code extensions, decoded for the XML and encoded back.
    @Test func personNameInISO2022Japanese() throws {
        let esc: UInt8 = 0x1B
        let kanji: [UInt8] = [esc, 0x24, 0x42]  // ESC $ B: JIS X 0208 in G0
        let ascii: [UInt8] = [esc, 0x28, 0x42]  // ESC ( B: ASCII in G0
        let value: [UInt8] =
            Array("Yamada^Tarou=".utf8) + kanji + Array(";3ED".utf8) + ascii + [0x5E] + kanji + Array("B@O:".utf8)
            + ascii + [0x3D] + kanji + Array("$d$^$@".utf8) + ascii + [0x5E] + kanji + Array("$?$m$&".utf8) + ascii
        let ds = DataSet([
            text(0x0008_0005, .CS, "\\ISO 2022 IR 87"), DataElement(Tag(0x0010_0010), .PN, bytes: value),
        ])
        let (out, warnings) = encodeWithWarnings(ds)
        #expect(warnings.isEmpty)
        #expect(
            out.contains(
                "<Ideographic><FamilyName>山田</FamilyName><GivenName>太郎</GivenName></Ideographic>"
                    + "<Phonetic><FamilyName>やまだ</FamilyName><GivenName>たろう</GivenName></Phonetic>"))
        #expect(try decode(out) == ds)
    }

    @Test func personNameGroupsMayBeMissingAndComponentsMayOverflow() throws {
        let ds = DataSet([
            text(0x0008_0005, .CS, "ISO_IR 192"),
            text(0x0010_0010, .PN, "=山田^太郎\\a^b^c^d^e^f"),
        ])
        let out = xml(ds)
        #expect(out.contains("<PersonName number=\"1\"><Ideographic><FamilyName>山田</FamilyName>"))
        #expect(out.contains("<NameSuffix>e^f</NameSuffix>"))
        let back = try decode(out)
        #expect(back[Tag(0x0010_0010)]?.value.bytes == Array("=山田^太郎\\a^b^c^d^e^f".utf8))
    }

    @Test func nestedSequencesAndEmptyItems() throws {
        let inner = DataSet([
            text(0x0008_0100, .SH, "inner"), DataElement(Tag(0x0040_A730), items: [DataSet(), DataSet()]),
        ])
        let ds = DataSet([
            DataElement(Tag(0x0040_A730), items: [DataSet([DataElement(Tag(0x0040_A730), items: [inner])]), DataSet()])
        ])
        let out = xml(ds)
        #expect(
            out.contains(
                "<Item number=\"1\"/><Item number=\"2\"/></DicomAttribute></Item></DicomAttribute></Item><Item number=\"2\"/>"
            ))
        let back = try decode(out)
        #expect(back == ds)
        #expect(xml(back) == out)
    }

    @Test func privateCreatorsAreTrackedPerItem() throws {
        let item = DataSet([
            text(0x0011_0010, .LO, "INNER CREATOR"), text(0x0011_1005, .LO, "inner value"),
            text(0x0009_1001, .LO, "no creator in this item"),
        ])
        let ds = DataSet([
            text(0x0009_0010, .LO, "ACME 1.1 "), text(0x0009_1001, .LO, "outer value"),
            text(0x0009_1101, .LO, "block without creator"), DataElement(Tag(0x0009_1010), items: [item]),
        ])
        let out = xml(ds)
        #expect(out.contains("<DicomAttribute tag=\"00090010\" vr=\"LO\"><Value number=\"1\">ACME 1.1</Value>"))
        #expect(out.contains("<DicomAttribute tag=\"00091001\" vr=\"LO\" privateCreator=\"ACME 1.1\">"))
        #expect(out.contains("<DicomAttribute tag=\"00091101\" vr=\"LO\">"))
        #expect(out.contains("<DicomAttribute tag=\"00091010\" vr=\"SQ\" privateCreator=\"ACME 1.1\">"))
        #expect(out.contains("<DicomAttribute tag=\"00111005\" vr=\"LO\" privateCreator=\"INNER CREATOR\">"))
        #expect(out.contains("<DicomAttribute tag=\"00091001\" vr=\"LO\"><Value number=\"1\">no creator"))
        let back = try decode(out)
        #expect(xml(back) == out)
        #expect(back[Tag(0x0009_1010)]?.value.items?.first?.count == 3)
    }

    @Test func characterSetIsInheritedAndOverridden() throws {
        let latin = [UInt8](arrayLiteral: 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72)  // Müller in ISO 8859-1
        let item = DataSet([DataElement(Tag(0x0010_0010), .PN, bytes: latin)])
        let utf8Item = DataSet([
            text(0x0008_0005, .CS, "ISO_IR 192"), DataElement(Tag(0x0010_0010), .PN, bytes: Array("Müller".utf8)),
        ])
        let ds = DataSet([
            text(0x0008_0005, .CS, "ISO_IR 100"), DataElement(Tag(0x0010_0010), .PN, bytes: latin),
            DataElement(Tag(0x0008_1115), items: [item, utf8Item]),
        ])
        let (out, warnings) = encodeWithWarnings(ds)
        #expect(warnings.isEmpty)
        #expect(out.components(separatedBy: "<FamilyName>Müller</FamilyName>").count == 4)
        let back = try decode(out)
        #expect(back == ds)
    }

    @Test func undecodableTextFallsBackToLatin1AndRoundTrips() throws {
        let ds = DataSet([DataElement(Tag(0x0010_0020), .LO, bytes: [0x41, 0xE9])])
        let (out, warnings) = encodeWithWarnings(ds)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("(0010,0020): ") == true)
        #expect(out.contains("<Value number=\"1\">Aé</Value>"))
        var decodeWarnings: [String] = []
        let back = try NativeXMLDecoder.decode(Array(out.utf8), warnings: &decodeWarnings)
        #expect(back == ds)
        #expect(decodeWarnings.count == 1)
    }

    @Test func charactersXMLCannotCarryAreReplaced() {
        let ds = DataSet([text(0x0008_0080, .LT, "page\u{0C}break\u{01}")])
        let (out, warnings) = encodeWithWarnings(ds)
        #expect(out.contains("<Value number=\"1\">page?break?</Value>"))
        #expect(warnings == ["(0008,0080): characters XML 1.0 cannot represent were replaced by '?'"])
    }

    @Test func attributeValuesAreEscaped() {
        let ds = DataSet([text(0x0009_0010, .LO, "A&B \"<x>\""), text(0x0009_1001, .LO, "v")])
        #expect(xml(ds).contains("privateCreator=\"A&amp;B &quot;&lt;x&gt;&quot;\""))
    }

    @Test func groupLengthsAndFileMeta() {
        let meta = DataSet([
            words(0x0002_0000, .UL, [UInt32(10)]), text(0x0002_0010, .UI, "1.2.840.10008.1.2.1"),
        ])
        let ds = DataSet([words(0x0008_0000, .UL, [UInt32(8)]), text(0x0008_0060, .CS, "CT")])
        for include in [false, true] {
            var encoder = NativeXMLEncoder(includeFileMeta: include, prettyPrinted: false)
            EventReplay.replay(ds, fileMeta: meta) { encoder.consume($0) }
            let out = String(decoding: encoder.takeOutput(), as: UTF8.self)
            #expect(out.contains("tag=\"00020010\"") == include)
            #expect(!out.contains("tag=\"00020000\""))
            #expect(!out.contains("tag=\"00080000\""))
            #expect(out.contains("tag=\"00080060\""))
        }
    }

    @Test func binaryPolicyChoosesBulkData() throws {
        let policy = BinaryPolicy { header in
            header.tag == .pixelData ? "https://pacs.example/bulk/\(header.tag.hexString)?a=1&b=2" : nil
        }
        let ds = DataSet([
            DataElement(Tag(0x0009_1001), .OB, bytes: [9]),
            DataElement(.pixelData, .OW, bytes: [1, 2, 3, 4]),
            DataElement(
                tag: Tag(0x0042_0011), vr: .OB, value: .bulk(BulkDataReference(uri: "https://pacs.example/pdf"))),
            DataElement(tag: Tag(0x0040_A160), vr: .UT, value: .bulk(BulkDataReference(uri: "urn:text"))),
        ])
        let out = xml(ds, policy: policy)
        #expect(out.contains("<InlineBinary>CQ==</InlineBinary>"))
        #expect(out.contains("<BulkData uri=\"https://pacs.example/bulk/7FE00010?a=1&amp;b=2\"/>"))
        #expect(out.contains("<BulkData uri=\"https://pacs.example/pdf\"/>"))
        let back = try decode(out)
        #expect(back[.pixelData]?.value == .bulk(BulkDataReference(uri: "https://pacs.example/bulk/7FE00010?a=1&b=2")))
        #expect(back[Tag(0x0040_A160)]?.value == .bulk(BulkDataReference(uri: "urn:text")))
        #expect(back[Tag(0x0040_A160)]?.vr == .UT)
    }

    @Test func encapsulatedPixelDataIsOneInlineBinary() throws {
        let pixels = EncapsulatedPixelData(basicOffsetTable: [0, 0, 0, 0], fragments: [[1, 2, 3], [4, 5, 6, 7]])
        let ds = DataSet([DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(pixels))])
        let out = xml(ds)
        #expect(
            out.contains(
                "<InlineBinary>\(Base64StreamEncoder.encode(EncapsulatedStream.encode(pixels)))</InlineBinary>"))
        let back = try decode(out)
        #expect(back == ds)
        let bulk = xml(ds, policy: BinaryPolicy { _ in "urn:frames" })
        #expect(bulk.contains("<BulkData uri=\"urn:frames\"/></DicomAttribute>"))
    }

    /// A repeated attribute in a stream is left out (the first is kept, as DataSetBuilder keeps it) together
    /// with its items or chunks; one out of tag order is written where it comes, with a warning.
    @Test func duplicateAndUnorderedAttributesInAStream() throws {
        func header(_ tag: UInt32, _ vr: VR, _ length: ValueLength = .undefined) -> ElementHeader {
            ElementHeader(tag: DICOMCore.Tag(tag), vr: vr, length: length, offset: 0, valueOffset: 0)
        }
        let events: [ParseEvent] = [
            .dataSetStart(.explicitVRLittleEndian),
            .element(header(0x0008_0060, .CS, .defined(2)), Array("CT".utf8)),
            .sequenceStart(header(0x0008_1115, .SQ)), .itemStart(offset: 0, length: .undefined),
            .element(header(0x0008_0100, .SH, .defined(2)), Array("T1".utf8)), .itemEnd, .sequenceEnd,
            .sequenceStart(header(0x0008_1115, .SQ)), .itemStart(offset: 0, length: .undefined),
            .sequenceStart(header(0x0008_1140, .SQ)), .sequenceEnd,
            .elementStart(header(0x0008_0100, .SH, .defined(2))), .valueChunk(Array("T2".utf8)), .valueEnd,
            .itemEnd, .sequenceEnd,
            .element(header(0x0010_0020, .LO, .defined(2)), Array("ID".utf8)),
            .element(header(0x0008_0070, .LO, .defined(4)), Array("ACME".utf8)), .end,
        ]
        var encoder = NativeXMLEncoder(prettyPrinted: false)
        for event in events { encoder.consume(event) }
        let out = String(decoding: encoder.takeOutput(), as: UTF8.self)
        #expect(
            encoder.warnings == [
                "(0008,1115): duplicate attribute left out", "(0008,0070): the attribute is out of tag order",
            ])
        #expect(!out.contains("T2") && out.contains("T1") && out.hasSuffix("</NativeDicomModel>"))
        #expect(out.components(separatedBy: "tag=\"00081115\"").count == 2)
        let expected = DataSet([
            text(0x0008_0060, .CS, "CT"),
            DataElement(Tag(0x0008_1115), items: [DataSet([text(0x0008_0100, .SH, "T1")])]),
            text(0x0010_0020, .LO, "ID"), text(0x0008_0070, .LO, "ACME"),
        ])
        #expect(try decode(out) == expected)
    }

    /// Chunked values stream: base64 across chunk boundaries (binary values and fragments) and text gathered
    /// whole; draining the output after every event gives the same document as the in-memory data set.
    @Test func chunkedEventsStream() throws {
        let pixels = EncapsulatedPixelData(fragments: [Array(0..<200), [9, 9]])
        let report = [String](repeating: "Hello, chunked wörld.", count: 8).joined(separator: " ")
        let ds = DataSet([
            text(0x0008_0005, .CS, "ISO_IR 192"), text(0x0008_0080, .LT, report),
            DataElement(Tag(0x0009_1001), .OB, bytes: Array(1...170)),
            DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(pixels)),
        ])
        let part10 = try DICOMWriter.part10(ds, transferSyntax: TransferSyntax(uid: "1.2.840.10008.1.2.4.50"))
        var options = ParserOptions()
        options.materializeLimit = 64  // file meta elements must fit
        var parser = StreamParser(options: options)
        parser.append(part10)
        parser.finish()
        var encoder = NativeXMLEncoder(prettyPrinted: false)
        var streamed: [UInt8] = []
        var chunks = 0
        var chunkedFragments = 0
        while let event = try parser.next() {
            if case .valueChunk = event { chunks += 1 }
            if case .fragmentStart = event { chunkedFragments += 1 }
            encoder.consume(event)
            streamed += encoder.takeOutput()
        }
        #expect(chunks > 6 && chunkedFragments == 1)
        let out = String(decoding: streamed, as: UTF8.self)
        #expect(out == xml(ds))
        #expect(out.contains("<Value number=\"1\">\(report)</Value>"))
        #expect(out.contains("<InlineBinary>\(Base64StreamEncoder.encode(Array(1...170)))</InlineBinary>"))
        #expect(try decode(out) == ds)
    }
}
