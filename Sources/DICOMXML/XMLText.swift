/// Writes XML character data and attribute values (XML 1.0 §2.4, §3.1).
enum XMLText {
    /// What stands in for a character XML 1.0 cannot carry at all (C0 controls other than tab, LF and CR,
    /// U+FFFE, U+FFFF): `?`, as encoders into legacy character sets do. Unlike U+FFFD it exists in every
    /// DICOM character set, so a document with replacements still decodes, and decoding then encoding it
    /// again gives the same document.
    static let replacement: [UInt8] = [0x3F]

    /// Appends `text` escaped for character data or (with `attribute`) a double-quoted attribute value.
    ///
    /// `&`, `<`, `>` and `"` become entity references. CR is written as `&#13;` so a reader's line-end
    /// normalization (§2.11) keeps it; in attribute values tab and LF are written as references too, so
    /// attribute-value normalization (§3.3.3) keeps them. Returns `false` if a character had to be replaced.
    @discardableResult
    static func append(_ text: some StringProtocol, attribute: Bool = false, to out: inout [UInt8]) -> Bool {
        var clean = true
        let utf8 = text.utf8
        var k = utf8.startIndex
        while k != utf8.endIndex {
            let b = utf8[k]
            switch b {
            case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
            case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])  // &lt;
            case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])  // &gt;
            case 0x22: out.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])  // &quot;
            case 0x0D: out.append(contentsOf: [0x26, 0x23, 0x31, 0x33, 0x3B])  // &#13;
            case 0x0A where attribute: out.append(contentsOf: [0x26, 0x23, 0x31, 0x30, 0x3B])  // &#10;
            case 0x09 where attribute: out.append(contentsOf: [0x26, 0x23, 0x39, 0x3B])  // &#9;
            case 0x09, 0x0A: out.append(b)
            case 0..<0x20:
                out.append(contentsOf: replacement)
                clean = false
            case 0xEF:
                // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
                let k1 = utf8.index(after: k)
                let k2 = k1 == utf8.endIndex ? k1 : utf8.index(after: k1)
                if k2 != utf8.endIndex && utf8[k1] == 0xBF && (utf8[k2] == 0xBE || utf8[k2] == 0xBF) {
                    out.append(contentsOf: replacement)
                    clean = false
                    k = utf8.index(after: k2)
                    continue
                }
                out.append(b)
            default: out.append(b)
            }
            k = utf8.index(after: k)
        }
        return clean
    }

    /// Appends ASCII text that needs no escaping.
    static func raw(_ s: StaticString, to out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }
}
