import Testing

@testable import DICOMXML

/// The XML reader: what it accepts, and the constructs it refuses (DTDs and entities: XXE and entity
/// expansion protection; limits; malformed input).
@Suite struct XMLScannerTests {
    private func tokens(_ xml: String) throws(XMLModelError) -> [XMLToken] {
        var scanner = try XMLScanner(Array(xml.utf8))
        var list: [XMLToken] = []
        while let token = try scanner.next() { list.append(token) }
        return list
    }

    private func scanError(_ xml: String, limits: XMLLimits = XMLLimits()) -> XMLModelError? {
        scanError(Array(xml.utf8), limits: limits)
    }

    private func scanError(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) -> XMLModelError? {
        do {
            var scanner = try XMLScanner(bytes, limits: limits)
            while try scanner.next() != nil {}
            return nil
        } catch {
            return error
        }
    }

    @Test func elementsAttributesAndText() throws {
        let list = try tokens("<a x='1' y=\"2\">t<b/><!--c--><?pi data?><![CDATA[<&>]]></a>")
        #expect(
            list == [
                .start(
                    name: "a", attributes: [XMLAttribute(name: "x", value: "1"), XMLAttribute(name: "y", value: "2")],
                    offset: 0),
                .text("t", offset: 15),
                .start(name: "b", attributes: [], offset: 16), .end(name: "b", offset: 16),
                .text("<&>", offset: 39), .end(name: "a", offset: 54),
            ])
    }

    @Test func lineEndsAndAttributeValuesAreNormalized() throws {
        let list = try tokens("<a v=\"1\t2\r\n3&#9;4&#10;\">x\r\ny\rz&#13;</a>")
        #expect(list[0] == .start(name: "a", attributes: [XMLAttribute(name: "v", value: "1 2 3\t4\n")], offset: 0))
        #expect(list[1] == .text("x\ny\nz\r", offset: 24))
    }

    @Test func characterReferences() throws {
        let list = try tokens("<a>&#65;&#x42;&#x1F600;&lt;&gt;&amp;&apos;&quot;</a>")
        #expect(list[1] == .text("AB😀<>&'\"", offset: 3))
    }

    // MARK: - Refused: DTDs and entities

    @Test func externalEntityIsRefused() throws {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE NativeDicomModel [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <NativeDicomModel><DicomAttribute tag="00100010" vr="PN"><Value number="1">&xxe;</Value></DicomAttribute></NativeDicomModel>
            """
        let error = try #require(decodeError(xxe))
        #expect(error.code == .forbiddenConstruct)
        #expect(error.line == 2 && error.column == 1)
        #expect(error.description.contains("DTD"))
    }

    @Test func billionLaughsIsRefused() {
        var lines = ["<?xml version=\"1.0\"?>", "<!DOCTYPE lolz [", " <!ENTITY lol \"lol\">"]
        for i in 1...9 {
            let previous = i == 1 ? "lol" : "lol\(i - 1)"
            lines.append(" <!ENTITY lol\(i) \"" + String(repeating: "&\(previous);", count: 10) + "\">")
        }
        lines += [
            "]>",
            "<NativeDicomModel><DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\">&lol9;</Value></DicomAttribute></NativeDicomModel>",
        ]
        #expect(decodeError(lines.joined(separator: "\n"))?.code == .forbiddenConstruct)
    }

    @Test func externalDTDAndParameterEntitiesAreRefused() {
        #expect(scanError("<!DOCTYPE a SYSTEM \"http://attacker.example/x.dtd\"><a/>")?.code == .forbiddenConstruct)
        #expect(scanError("<!DOCTYPE a PUBLIC \"-//x//EN\" \"x.dtd\"><a/>")?.code == .forbiddenConstruct)
        #expect(scanError("<a><!ENTITY % p SYSTEM \"x\"></a>")?.code == .forbiddenConstruct)
        #expect(scanError("<a><!ELEMENT a ANY></a>")?.code == .forbiddenConstruct)
    }

    @Test func undeclaredEntitiesAreRefused() {
        #expect(scanError("<a>&xxe;</a>")?.code == .forbiddenConstruct)
        #expect(scanError("<a v=\"&nbsp;\"/>")?.code == .forbiddenConstruct)
    }

    // MARK: - Limits

    @Test func nestingDepthIsLimited() {
        var limits = XMLLimits()
        limits.maxDepth = 10
        let deep = String(repeating: "<a>", count: 11) + String(repeating: "</a>", count: 11)
        #expect(scanError(deep, limits: limits)?.code == .limitExceeded)
        let ok = String(repeating: "<a>", count: 10) + String(repeating: "</a>", count: 10)
        #expect(scanError(ok, limits: limits) == nil)
        // The default limit stops a document nesting items far deeper than any real data set.
        let items = String(
            repeating: "<DicomAttribute tag=\"00081115\" vr=\"SQ\"><Item number=\"1\">", count: 200)
        #expect(decodeError("<NativeDicomModel>" + items)?.code == .limitExceeded)
    }

    @Test func attributesAndNamesAreLimited() {
        let many = (0..<40).map { "a\($0)=\"\"" }.joined(separator: " ")
        #expect(scanError("<x \(many)/>")?.code == .limitExceeded)
        #expect(scanError("<\(String(repeating: "n", count: 300))/>")?.code == .limitExceeded)
    }

    // MARK: - Malformed

    @Test(arguments: [
        "", "   ", "<a>", "<a></b>", "</a>", "<a/><b/>", "<a/>text", "text<a/>", "<a>&</a>", "<a>& b;</a>",
        "<a v=\"<\"/>", "<a v=\"1\" v=\"2\"/>", "<a v=1/>", "<a v=\"1\"w=\"2\"/>", "<a>]]></a>",
        "<a><!-- a -- b --></a>",
        "<a><![CDATA[x</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#xFFFE;</a>", "<a>&#12345678901;</a>",
        "<a>&#x;</a>",
        "<a>\u{01}</a>", "<a>\u{FFFF}</a>", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
        "<?xml encoding=\"UTF-8\"?><a/>", "<a/><?xml version=\"1.0\"?>", " <?xml version=\"1.0\"?><a/>", "<1a/>",
        "<a><?pi</a>", "<a b></a>",
    ])
    func malformedDocumentsAreRefused(xml: String) {
        let error = scanError(xml)
        #expect(error?.code == .malformed, "\(xml.debugDescription): \(String(describing: error))")
    }

    @Test func encodingsOtherThanUTF8AreRefused() {
        let utf16: [UInt8] = [0xFE, 0xFF, 0x00, 0x3C, 0x00, 0x61, 0x00, 0x2F, 0x00, 0x3E]
        #expect(scanError(utf16)?.code == .malformed)
        func inside(_ bytes: [UInt8]) -> [UInt8] { Array("<a>".utf8) + bytes + Array("</a>".utf8) }
        #expect(scanError(inside([0xC3, 0x28]))?.code == .malformed)  // not UTF-8
        #expect(scanError(inside([0xC0, 0xBC]))?.code == .malformed)  // overlong
        #expect(scanError(inside([0xED, 0xA0, 0x80]))?.code == .malformed)  // a surrogate
        #expect(scanError(inside([0xF4, 0x90, 0x80, 0x80]))?.code == .malformed)  // beyond U+10FFFF
        #expect(scanError([0xEF, 0xBB, 0xBF] + Array("<a/>".utf8)) == nil)  // a UTF-8 byte order mark is fine
    }

    @Test func errorsCarryLineAndColumn() throws {
        let error = try #require(scanError("<a>\r\n  <b>\n  é</c>"))
        #expect(error.line == 3 && error.column == 4)
    }
}
