/// Bounds on what ``NativeXMLDecoder`` accepts, so a hostile document cannot exhaust the stack or memory.
///
/// The XML reader resolves no entity other than the five predefined ones and character references, so
/// output never grows beyond the input; these limits bound the rest.
public struct XMLLimits: Hashable, Sendable {
    /// Maximum element nesting depth. A Native DICOM Model document needs two levels per sequence level
    /// (`DicomAttribute` and `Item`) plus four, so the default allows well over 64 nested sequences.
    public var maxDepth: Int = 256
    /// Maximum number of attributes on one element.
    public var maxAttributes: Int = 32
    /// Maximum length of an element or attribute name, in bytes.
    public var maxNameLength: Int = 256

    /// The default limits.
    public init() {}
}

/// One attribute of an XML element, its value with references resolved and white space normalized
/// (XML 1.0 §3.3.3).
struct XMLAttribute: Hashable, Sendable {
    var name: String
    var value: String
}

/// What the scanner reports, in document order.
enum XMLToken: Hashable, Sendable {
    /// A start tag (an empty-element tag `<a/>` is reported as a start tag followed by an end tag).
    case start(name: String, attributes: [XMLAttribute], offset: Int)
    /// An end tag.
    case end(name: String, offset: Int)
    /// Character data (a CDATA section included) with references resolved and line ends normalized to LF
    /// (XML 1.0 §2.11). Adjacent runs may arrive as several tokens.
    case text(String, offset: Int)
}

/// A small, strict, non-validating XML 1.0 pull parser for UTF-8 documents: elements, attributes (single or
/// double quotes), character data, CDATA sections, comments, processing instructions, character references
/// and the five predefined entities.
///
/// It refuses every document type declaration and every other entity reference with
/// ``XMLModelError/Code/forbiddenConstruct``: without a DTD there is nothing to expand and nothing external
/// to fetch, which rules out external entity (XXE) and entity expansion attacks by construction. Input must
/// be UTF-8 (an encoding declaration naming anything else is refused) and contain only characters XML 1.0
/// allows (§2.2). Namespaces are not interpreted: names keep their prefixes.
struct XMLScanner {
    private let bytes: [UInt8]
    private let limits: XMLLimits
    private var index = 0
    private var open: [String] = []
    private var pendingEnd: (name: String, offset: Int)?
    private var seenRoot = false

    /// Prepares to scan `bytes`, checking the encoding and every character first.
    init(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) throws(XMLModelError) {
        self.bytes = bytes
        self.limits = limits
        if bytes.count >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)) {
            throw XMLModelError(code: .malformed, message: "UTF-16 documents are not supported; send UTF-8")
        }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        try validateCharacters()
        if looking(at: "<?xml"), index + 5 < bytes.count, Self.isSpace(bytes[index + 5]) {
            try declaration()
        }
    }

    /// The 1-based line and column (in Unicode scalars) of byte `offset`.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var k = 0
        let end = min(offset, bytes.count)
        while k < end {
            let b = bytes[k]
            if b == 0x0A || (b == 0x0D && (k + 1 >= bytes.count || bytes[k + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if b != 0x0D && b & 0xC0 != 0x80 {
                column += 1
            }
            k += 1
        }
        return (line, column)
    }

    /// An error located at byte `offset`.
    func error(_ code: XMLModelError.Code, _ message: String, at offset: Int) -> XMLModelError {
        let p = position(of: offset)
        return XMLModelError(code: code, message: message, line: p.line, column: p.column)
    }

    /// The next token, or `nil` at the end of a well-formed document.
    mutating func next() throws(XMLModelError) -> XMLToken? {
        if let pending = pendingEnd {
            pendingEnd = nil
            open.removeLast()
            return .end(name: pending.name, offset: pending.offset)
        }
        while true {
            guard index < bytes.count else {
                if let name = open.last {
                    throw error(.malformed, "the document ends inside element <\(name)>", at: index)
                }
                if !seenRoot { throw error(.malformed, "the document has no root element", at: index) }
                return nil
            }
            let start = index
            if bytes[index] != 0x3C {
                if open.isEmpty {
                    guard Self.isSpace(bytes[index]) else {
                        throw error(.malformed, "character data outside the root element", at: index)
                    }
                    index += 1
                    continue
                }
                return .text(try characterData(), offset: start)
            }
            if looking(at: "<?") {
                try processingInstruction()
            } else if looking(at: "<!--") {
                try comment()
            } else if looking(at: "<![CDATA[") {
                guard !open.isEmpty else {
                    throw error(.malformed, "CDATA section outside the root element", at: index)
                }
                return .text(try cdata(), offset: start)
            } else if looking(at: "<!DOCTYPE") {
                throw error(
                    .forbiddenConstruct, "document type declarations (DTDs) are not allowed", at: index)
            } else if looking(at: "<!") {
                throw error(.forbiddenConstruct, "markup declarations are not allowed", at: index)
            } else if looking(at: "</") {
                return try endTag()
            } else {
                return try startTag()
            }
        }
    }

    // MARK: - Markup

    private mutating func startTag() throws(XMLModelError) -> XMLToken {
        let start = index
        index += 1
        let name = try self.name()
        var attributes: [XMLAttribute] = []
        var selfClosing = false
        while true {
            let hadSpace = skipSpace()
            guard index < bytes.count else { throw error(.malformed, "unterminated start tag <\(name)>", at: start) }
            if looking(at: "/>") {
                index += 2
                selfClosing = true
                break
            }
            if bytes[index] == 0x3E {
                index += 1
                break
            }
            guard hadSpace else { throw error(.malformed, "expected white space before an attribute", at: index) }
            let attributeStart = index
            let attributeName = try self.name()
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x3D else {
                throw error(.malformed, "expected '=' after attribute \(attributeName)", at: index)
            }
            index += 1
            skipSpace()
            let value = try attributeValue()
            if attributes.contains(where: { $0.name == attributeName }) {
                throw error(.malformed, "duplicate attribute \(attributeName)", at: attributeStart)
            }
            guard attributes.count < limits.maxAttributes else {
                throw error(.limitExceeded, "more than \(limits.maxAttributes) attributes", at: attributeStart)
            }
            attributes.append(XMLAttribute(name: attributeName, value: value))
        }
        if open.isEmpty && seenRoot {
            throw error(.malformed, "a second root element <\(name)>", at: start)
        }
        guard open.count < limits.maxDepth else {
            throw error(.limitExceeded, "elements nest deeper than \(limits.maxDepth)", at: start)
        }
        seenRoot = true
        open.append(name)
        if selfClosing { pendingEnd = (name, start) }
        return .start(name: name, attributes: attributes, offset: start)
    }

    private mutating func endTag() throws(XMLModelError) -> XMLToken {
        let start = index
        index += 2
        let name = try self.name()
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x3E else {
            throw error(.malformed, "unterminated end tag </\(name)>", at: start)
        }
        index += 1
        guard let expected = open.last else {
            throw error(.malformed, "end tag </\(name)> without a start tag", at: start)
        }
        guard expected == name else {
            throw error(.malformed, "end tag </\(name)> does not match <\(expected)>", at: start)
        }
        open.removeLast()
        return .end(name: name, offset: start)
    }

    private mutating func name() throws(XMLModelError) -> String {
        let start = index
        guard index < bytes.count, Self.isNameStart(bytes[index]) else {
            throw error(.malformed, "expected a name", at: index)
        }
        index += 1
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index - start <= limits.maxNameLength else {
            throw error(.limitExceeded, "a name longer than \(limits.maxNameLength) bytes", at: start)
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func attributeValue() throws(XMLModelError) -> String {
        guard index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 else {
            throw error(.malformed, "expected a quoted attribute value", at: index)
        }
        let quote = bytes[index]
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error(.malformed, "unterminated attribute value", at: start) }
            let b = bytes[index]
            switch b {
            case quote:
                index += 1
                return String(decoding: out, as: UTF8.self)
            case 0x3C:
                throw error(.malformed, "'<' in an attribute value", at: index)
            case 0x26:
                try reference(into: &out)
            case 0x0D:
                // Line-end normalization, then attribute-value normalization (XML 1.0 §2.11, §3.3.3).
                out.append(0x20)
                index += index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
            case 0x09, 0x0A:
                out.append(0x20)
                index += 1
            default:
                out.append(b)
                index += 1
            }
        }
    }

    private mutating func characterData() throws(XMLModelError) -> String {
        var out: [UInt8] = []
        while index < bytes.count {
            // Copy runs of ordinary bytes at once (base64 and most text are nothing else).
            let run = index
            while index < bytes.count, !Self.isSpecialInText(bytes[index]) { index += 1 }
            if index > run { out.append(contentsOf: bytes[run..<index]) }
            guard index < bytes.count else { break }
            let b = bytes[index]
            switch b {
            case 0x3C:
                return String(decoding: out, as: UTF8.self)
            case 0x26:
                try reference(into: &out)
            case 0x0D:
                out.append(0x0A)
                index += index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
            case 0x5D where looking(at: "]]>"):
                throw error(.malformed, "']]>' in character data", at: index)
            default:
                out.append(b)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func cdata() throws(XMLModelError) -> String {
        let start = index
        index += 9
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error(.malformed, "unterminated CDATA section", at: start) }
            if looking(at: "]]>") {
                index += 3
                return String(decoding: out, as: UTF8.self)
            }
            if bytes[index] == 0x0D {
                out.append(0x0A)
                index += index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
    }

    private mutating func comment() throws(XMLModelError) {
        let start = index
        index += 4
        while true {
            guard index + 1 < bytes.count else { throw error(.malformed, "unterminated comment", at: start) }
            if bytes[index] == 0x2D && bytes[index + 1] == 0x2D {
                guard index + 2 < bytes.count, bytes[index + 2] == 0x3E else {
                    throw error(.malformed, "'--' inside a comment", at: index)
                }
                index += 3
                return
            }
            index += 1
        }
    }

    private mutating func processingInstruction() throws(XMLModelError) {
        let start = index
        index += 2
        let target = try name()
        if target.lowercased() == "xml" {
            throw error(.malformed, "an XML declaration is only allowed at the very start", at: start)
        }
        while true {
            guard index + 1 < bytes.count else {
                throw error(.malformed, "unterminated processing instruction", at: start)
            }
            if bytes[index] == 0x3F && bytes[index + 1] == 0x3E {
                index += 2
                return
            }
            index += 1
        }
    }

    /// `<?xml version="1.x" encoding="UTF-8" standalone="…"?>` (XML 1.0 §2.8); only UTF-8 is accepted.
    private mutating func declaration() throws(XMLModelError) {
        let start = index
        index += 5
        var seen: [String] = []
        while true {
            let hadSpace = skipSpace()
            guard index < bytes.count else { throw error(.malformed, "unterminated XML declaration", at: start) }
            if looking(at: "?>") {
                index += 2
                break
            }
            guard hadSpace else { throw error(.malformed, "malformed XML declaration", at: index) }
            let key = try name()
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x3D else {
                throw error(.malformed, "malformed XML declaration", at: index)
            }
            index += 1
            skipSpace()
            let value = try attributeValue()
            switch key {
            case "version":
                guard seen.isEmpty, value.hasPrefix("1.") else {
                    throw error(.malformed, "unsupported XML version in the declaration", at: start)
                }
            case "encoding":
                guard seen == ["version"] else { throw error(.malformed, "malformed XML declaration", at: start) }
                guard ["utf-8", "utf8"].contains(value.lowercased()) else {
                    throw error(.malformed, "only UTF-8 documents are supported, not \(value)", at: start)
                }
            case "standalone":
                guard seen.first == "version", !seen.contains("standalone") else {
                    throw error(.malformed, "malformed XML declaration", at: start)
                }
            default:
                throw error(.malformed, "unknown XML declaration attribute \(key)", at: start)
            }
            seen.append(key)
        }
        guard seen.first == "version" else { throw error(.malformed, "the XML declaration lacks a version", at: start) }
    }

    // MARK: - References

    /// Resolves the reference at `index` (which holds `&`) into UTF-8 bytes.
    private mutating func reference(into out: inout [UInt8]) throws(XMLModelError) {
        let start = index
        var end = index + 1
        while end < bytes.count, end - start <= 64, bytes[end] != 0x3B,
            Self.isNameByte(bytes[end]) || bytes[end] == 0x23
        {
            end += 1
        }
        guard end < bytes.count, bytes[end] == 0x3B, end > start + 1 else {
            throw error(.malformed, "'&' that does not start a reference (write &amp;)", at: start)
        }
        let body = Array(bytes[(start + 1)..<end])
        index = end + 1
        switch body {
        case Array("lt".utf8): out.append(0x3C)
        case Array("gt".utf8): out.append(0x3E)
        case Array("amp".utf8): out.append(0x26)
        case Array("apos".utf8): out.append(0x27)
        case Array("quot".utf8): out.append(0x22)
        default:
            guard body.first == 0x23 else {
                let name = String(decoding: body, as: UTF8.self)
                throw error(
                    .forbiddenConstruct,
                    "entity reference &\(name); is not allowed: only the five predefined entities and character references are supported",
                    at: start)
            }
            let hex = body.count > 1 && body[1] == 0x78
            let digits = body.dropFirst(hex ? 2 : 1)
            var value: UInt32 = 0
            guard !digits.isEmpty, digits.count <= 8 else {
                throw error(.malformed, "malformed character reference", at: start)
            }
            for d in digits {
                guard let v = Self.digitValue(d, hex: hex) else {
                    throw error(.malformed, "malformed character reference", at: start)
                }
                value = value * (hex ? 16 : 10) + v
            }
            guard let scalar = Unicode.Scalar(value), Self.isXMLChar(value) else {
                throw error(.malformed, "character reference to a character XML 1.0 does not allow", at: start)
            }
            out.append(contentsOf: String(Character(scalar)).utf8)
        }
    }

    // MARK: - Characters

    /// Checks that the document is UTF-8 made only of characters XML 1.0 allows (§2.2).
    private func validateCharacters() throws(XMLModelError) {
        var k = index
        let n = bytes.count
        while k < n {
            let b0 = bytes[k]
            if b0 < 0x80 {
                if b0 < 0x20 && b0 != 0x09 && b0 != 0x0A && b0 != 0x0D {
                    throw error(.malformed, "control character U+00\(Self.hex2(b0)) is not allowed in XML 1.0", at: k)
                }
                k += 1
                continue
            }
            var scalar: UInt32
            var length: Int
            var minimum: UInt32
            switch b0 {
            case 0xC2...0xDF: (scalar, length, minimum) = (UInt32(b0 & 0x1F), 2, 0x80)
            case 0xE0...0xEF: (scalar, length, minimum) = (UInt32(b0 & 0x0F), 3, 0x800)
            case 0xF0...0xF4: (scalar, length, minimum) = (UInt32(b0 & 0x07), 4, 0x10000)
            default: throw error(.malformed, "the document is not valid UTF-8", at: k)
            }
            guard k + length <= n else { throw error(.malformed, "the document is not valid UTF-8", at: k) }
            for j in 1..<length {
                let b = bytes[k + j]
                guard b & 0xC0 == 0x80 else { throw error(.malformed, "the document is not valid UTF-8", at: k) }
                scalar = scalar << 6 | UInt32(b & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw error(.malformed, "the document is not valid UTF-8", at: k)
            }
            guard Self.isXMLChar(scalar) else {
                throw error(
                    .malformed, "character U+\(String(scalar, radix: 16, uppercase: true)) is not allowed in XML 1.0",
                    at: k)
            }
            k += length
        }
    }

    /// XML 1.0 `Char` (§2.2).
    static func isXMLChar(_ v: UInt32) -> Bool {
        switch v {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// Bytes character data cannot simply copy: `<`, `&`, CR and `]` (which may start `]]>`).
    private static func isSpecialInText(_ b: UInt8) -> Bool { b == 0x3C || b == 0x26 || b == 0x0D || b == 0x5D }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// Name start characters: ASCII letters, `_`, `:` and any non-ASCII character (a superset of §2.3).
    private static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x3A || b >= 0x80
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E
    }

    private static func digitValue(_ d: UInt8, hex: Bool) -> UInt32? {
        switch d {
        case 0x30...0x39: UInt32(d - 0x30)
        case 0x41...0x46 where hex: UInt32(d - 0x41 + 10)
        case 0x61...0x66 where hex: UInt32(d - 0x61 + 10)
        default: nil
        }
    }

    private static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    @discardableResult private mutating func skipSpace() -> Bool {
        let start = index
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        return index > start
    }

    private func looking(at literal: StaticString) -> Bool {
        literal.withUTF8Buffer { lit in
            guard index + lit.count <= bytes.count else { return false }
            for k in 0..<lit.count where bytes[index + k] != lit[k] { return false }
            return true
        }
    }
}
