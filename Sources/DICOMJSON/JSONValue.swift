/// A parsed JSON value that keeps number literals as written (so DS and IS values survive exactly).
public indirect enum JSONValue: Hashable, Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .object(let members):
            hasher.combine(0)
            for (k, v) in members {
                hasher.combine(k)
                hasher.combine(v)
            }
        case .array(let a): hasher.combine(a)
        case .string(let s): hasher.combine(s)
        case .number(let n): hasher.combine(n)
        case .bool(let b): hasher.combine(b)
        case .null: hasher.combine(1)
        }
    }

    /// The member named `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }
}

/// Malformed JSON, or JSON that is not a valid DICOM JSON Model document.
public struct DICOMJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset in the input, when the JSON itself is malformed.
    public var offset: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(offset: Int? = nil, _ message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { offset.map { "at byte \($0): \(message)" } ?? message }
}

/// A strict RFC 8259 parser with a nesting limit.
public struct JSONParser {
    private let bytes: [UInt8]
    private var i = 0
    private let maxDepth: Int

    /// Parses `bytes` as one JSON value.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 512) throws(DICOMJSONError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.i == bytes.count else { throw DICOMJSONError(offset: parser.i, "trailing characters") }
        return value
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func fail(_ message: String) -> DICOMJSONError { DICOMJSONError(offset: i, message) }

    private mutating func expect(_ literal: StaticString) throws(DICOMJSONError) {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("unexpected end") }
        var ok = true
        literal.withUTF8Buffer { lit in
            for k in 0..<n where bytes[i + k] != lit[k] { ok = false }
        }
        guard ok else { throw fail("invalid literal") }
        i += n
    }

    private mutating func value(depth: Int) throws(DICOMJSONError) -> JSONValue {
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case 0x7B:
            i += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if i < bytes.count && bytes[i] == 0x7D {
                i += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard i < bytes.count, bytes[i] == 0x22 else { throw fail("expected a member name") }
                let key = try string()
                skipWhitespace()
                guard i < bytes.count, bytes[i] == 0x3A else { throw fail("expected ':'") }
                i += 1
                skipWhitespace()
                members.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                guard i < bytes.count else { throw fail("unexpected end in object") }
                if bytes[i] == 0x2C {
                    i += 1
                    continue
                }
                guard bytes[i] == 0x7D else { throw fail("expected ',' or '}'") }
                i += 1
                return .object(members)
            }
        case 0x5B:
            i += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if i < bytes.count && bytes[i] == 0x5D {
                i += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard i < bytes.count else { throw fail("unexpected end in array") }
                if bytes[i] == 0x2C {
                    i += 1
                    continue
                }
                guard bytes[i] == 0x5D else { throw fail("expected ',' or ']'") }
                i += 1
                return .array(items)
            }
        case 0x22:
            return .string(try string())
        case 0x74:
            try expect("true")
            return .bool(true)
        case 0x66:
            try expect("false")
            return .bool(false)
        case 0x6E:
            try expect("null")
            return .null
        default:
            return .number(try number())
        }
    }

    private mutating func number() throws(DICOMJSONError) -> String {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard ModelValueCodec.isJSONNumber(text) else {
            i = start
            throw fail("invalid number")
        }
        return text
    }

    private mutating func hex4() throws(DICOMJSONError) -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
        else { throw fail("invalid \\u escape") }
        i += 4
        return v
    }

    private mutating func string() throws(DICOMJSONError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            i += 1
            switch b {
            case 0x22:
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                return s
            case 0x5C:
                guard i < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard i + 2 <= bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else {
                            throw fail("unpaired surrogate")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                        scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                    out.append(contentsOf: String(Character(u)).utf8)
                default: throw fail("invalid escape")
                }
            case 0..<0x20:
                throw fail("control character in string")
            default:
                out.append(b)
            }
        }
    }
}
