/// A cursor over the UTF-8 bytes of an HTTP field value, recognising the RFC 9110 §5.6 building blocks
/// (tokens, quoted strings, optional whitespace) used by media types and Accept.
///
/// Bare parameter values are read leniently: besides RFC 9110 `tchar`, any visible byte other than `;`, `,`
/// and `"` is accepted, because DICOMweb clients send e.g. `type=application/octet-stream` unquoted.
struct HTTPFieldScanner {
    let bytes: [UInt8]
    var index: Int = 0

    init(_ text: some StringProtocol) { bytes = Array(text.utf8) }

    var isAtEnd: Bool { index >= bytes.count }
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// RFC 9110 §5.6.2 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether `text` is a non-empty RFC 9110 token (so it can be written without quotes).
    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// Skips RFC 9110 §5.6.3 `OWS` (spaces and horizontal tabs).
    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 { index += 1 }
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// Reads one or more token bytes.
    mutating func token() -> String? {
        let start = index
        while let byte = current, Self.isTokenByte(byte) { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    /// Reads a parameter value: a quoted string (RFC 9110 §5.6.4, unescaping quoted pairs) or a lenient bare value.
    mutating func parameterValue() -> String? {
        if current == UInt8(ascii: "\"") { return quotedString() }
        let start = index
        while let byte = current, byte > 0x20, byte != 0x7F, byte != UInt8(ascii: ";"), byte != UInt8(ascii: ","),
            byte != UInt8(ascii: "\"")
        {
            index += 1
        }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    /// Reads a quoted string, the opening quote being next. Returns `nil` when it is not terminated.
    mutating func quotedString() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var value: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { return nil }
                value.append(escaped)
                index += 1
            default:
                value.append(byte)
            }
        }
        return nil
    }

    /// Skips to just past the next `,` that is not inside a quoted string (or to the end): recovery after a
    /// malformed list element.
    mutating func skipPastListSeparator() {
        var quoted = false
        while let byte = current {
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    quoted = false
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                return
            }
        }
    }

    /// Serialises a parameter value as a token when possible, as a quoted string otherwise (RFC 9110 §5.6.6).
    static func serializeValue(_ value: String) -> String {
        if isToken(value) { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted.append("\"")
        return quoted
    }
}
