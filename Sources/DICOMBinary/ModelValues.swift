/// An element's value in the form the DICOM JSON and XML models present it (PS3.18 §F.2.3, PS3.19 §A.1).
public enum ModelValues: Hashable, Sendable {
    /// Text values of AE, AS, CS, DA, DT, LO, LT, SH, ST, TM, UC, UI, UR, UT (`nil`: an empty value).
    case strings([String?])
    /// Person names (`nil`: an empty value).
    case personNames([PersonName?])
    /// Numbers of IS, DS, FL, FD, SL, SS, UL, US, SV, UV, as JSON number literals (`nil`: an empty value).
    case numbers([String?])
    /// Attribute tags (AT), as `GGGGEEEE`.
    case tags([String])
    /// Binary data (OB, OD, OF, OL, OV, OW, UN).
    case binary([UInt8])

    /// The number of values (for binary, 1 when there are bytes).
    public var count: Int {
        switch self {
        case .strings(let v): v.count
        case .personNames(let v): v.count
        case .numbers(let v): v.count
        case .tags(let v): v.count
        case .binary(let b): b.isEmpty ? 0 : 1
        }
    }
}

/// A value could not be converted between its encoded bytes and the model form.
public struct ValueConversionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Converts between encoded element values and ``ModelValues`` (PS3.5 §6.2 value rules).
public enum ModelValueCodec {
    /// Decodes the little-endian bytes of a primitive value of `vr`.
    ///
    /// Text is decoded with `characterSet` and split on backslashes where the VR allows several values;
    /// padding and insignificant spaces are removed. IS and DS values that are not numbers are returned
    /// as ``ModelValues/strings(_:)`` so nothing is lost.
    public static func decode(
        _ bytes: [UInt8], vr: VR, characterSet: SpecificCharacterSet
    ) throws(CharacterSetError)
        -> ModelValues
    {
        switch vr {
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN, .SQ:
            return .binary(bytes)
        case .AT:
            var tags: [String] = []
            var i = 0
            while i + 4 <= bytes.count {
                let g = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
                let e = UInt16(bytes[i + 2]) | UInt16(bytes[i + 3]) << 8
                tags.append(Tag(group: g, element: e).hexString)
                i += 4
            }
            return .tags(tags)
        case .US: return .numbers(ints(bytes, 2) { UInt64($0) }.map { String($0) })
        case .SS: return .numbers(ints(bytes, 2) { Int64(Int16(truncatingIfNeeded: $0)) }.map { String($0) })
        case .UL: return .numbers(ints(bytes, 4) { UInt64($0) }.map { String($0) })
        case .SL: return .numbers(ints(bytes, 4) { Int64(Int32(truncatingIfNeeded: $0)) }.map { String($0) })
        case .UV: return .numbers(ints(bytes, 8) { $0 }.map { String($0) })
        case .SV: return .numbers(ints(bytes, 8) { Int64(bitPattern: $0) }.map { String($0) })
        case .FL:
            let values = ints(bytes, 4) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
            if values.contains(where: { !$0.isFinite }) { return .strings(values.map { "\($0)" }) }
            return .numbers(values.map { "\($0)" })
        case .FD:
            let values = ints(bytes, 8) { Double(bitPattern: $0) }
            if values.contains(where: { !$0.isFinite }) { return .strings(values.map { "\($0)" }) }
            return .numbers(values.map { "\($0)" })
        default:
            break
        }
        let text = try characterSet.decode(bytes, vr: vr)
        let raw: [Substring] =
            vr.allowsMultipleValues ? text.split(separator: "\\", omittingEmptySubsequences: false) : [Substring(text)]
        if raw.count == 1 && isBlank(raw[0], vr: vr) { return vr == .PN ? .personNames([]) : .strings([]) }
        if vr == .PN {
            return .personNames(
                raw.map { v in
                    let t = trim(v, vr: vr)
                    return t.isEmpty ? nil : PersonName(dicom: t)
                })
        }
        let values = raw.map { v -> String? in
            let t = trim(v, vr: vr)
            return t.isEmpty ? nil : t
        }
        if vr == .IS || vr == .DS {
            var literals: [String?] = []
            for value in values {
                guard let value else {
                    literals.append(nil)
                    continue
                }
                guard let literal = vr == .IS ? integerLiteral(value) : decimalLiteral(value) else {
                    return .strings(values)
                }
                literals.append(literal)
            }
            return .numbers(literals)
        }
        return .strings(values)
    }

    /// Encodes model values as the element bytes of `vr` (unpadded; text in `characterSet`).
    public static func encode(_ values: ModelValues, vr: VR, characterSet: SpecificCharacterSet) throws -> [UInt8] {
        switch values {
        case .binary(let bytes):
            return bytes
        case .tags(let tags):
            var out: [UInt8] = []
            for t in tags {
                guard let tag = Tag(hex: t) else { throw ValueConversionError("invalid AT value \(t)") }
                append(UInt64(tag.group), 2, &out)
                append(UInt64(tag.element), 2, &out)
            }
            return out
        case .personNames(let names):
            return try characterSet.encode(names.map { $0?.dicomValue ?? "" }.joined(separator: "\\"), vr: vr)
        case .strings(let strings):
            return try characterSet.encode(strings.map { $0 ?? "" }.joined(separator: "\\"), vr: vr)
        case .numbers(let numbers):
            if vr == .IS || vr == .DS || vr.isString {
                return Array(numbers.map { $0 ?? "" }.joined(separator: "\\").utf8)
            }
            var out: [UInt8] = []
            for n in numbers {
                guard let n else { throw ValueConversionError("empty value in a binary number list (\(vr))") }
                try appendNumber(n, vr: vr, &out)
            }
            return out
        }
    }

    // MARK: - Numbers

    private static func ints<T>(_ bytes: [UInt8], _ size: Int, _ make: (UInt64) -> T) -> [T] {
        var out: [T] = []
        out.reserveCapacity(bytes.count / size)
        var i = 0
        while i + size <= bytes.count {
            var v: UInt64 = 0
            for k in 0..<size { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            out.append(make(v))
            i += size
        }
        return out
    }

    private static func append(_ v: UInt64, _ size: Int, _ out: inout [UInt8]) {
        for k in 0..<size { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }

    private static func appendNumber(_ text: String, vr: VR, _ out: inout [UInt8]) throws {
        func bad() -> ValueConversionError { ValueConversionError("\(text) is not a valid \(vr) value") }
        switch vr {
        case .US, .UL, .UV:
            let d = Double(text)
            guard let v = UInt64(text) ?? d.flatMap({ $0 >= 0 && $0 == $0.rounded() ? UInt64(exactly: $0) : nil }),
                vr.wordSize == 8 || v < UInt64(1) << (8 * UInt64(vr.wordSize))
            else { throw bad() }
            append(v, vr.wordSize, &out)
        case .SS, .SL, .SV:
            let d = Double(text)
            guard let v = Int64(text) ?? d.flatMap({ $0 == $0.rounded() ? Int64(exactly: $0) : nil }) else {
                throw bad()
            }
            let bits = Int64(8 * vr.wordSize)
            guard bits == 64 || (v >= -(1 << (bits - 1)) && v < 1 << (bits - 1)) else { throw bad() }
            append(UInt64(bitPattern: v), vr.wordSize, &out)
        case .FL:
            guard let v = Float(text), v.isFinite || Double(text)?.isFinite == false else { throw bad() }
            append(UInt64(v.bitPattern), 4, &out)
        case .FD:
            guard let v = Double(text) else { throw bad() }
            append(v.bitPattern, 8, &out)
        default:
            throw ValueConversionError("\(vr) does not hold binary numbers")
        }
    }

    /// An IS value as a JSON integer literal, or `nil` when it is not an integer string.
    /// The JSON number literal of one IS or DS value (trimmed), or `nil` when it is not a valid number of
    /// its VR (PS3.5 Table 6.2-1), such as IS `1A`.
    public static func numberLiteral(_ value: String, vr: VR) -> String? {
        vr == .IS ? integerLiteral(value) : decimalLiteral(value)
    }

    static func integerLiteral(_ s: String) -> String? {
        var digits = Substring(s)
        var negative = false
        if digits.first == "+" || digits.first == "-" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        while digits.count > 1 && digits.first == "0" { digits = digits.dropFirst() }
        return (negative && digits != "0" ? "-" : "") + digits
    }

    /// A DS value as a JSON number literal, or `nil` when it is not a decimal string.
    static func decimalLiteral(_ s: String) -> String? {
        if isJSONNumber(s) { return s }
        guard let d = Double(s), d.isFinite, s.allSatisfy({ "+-0123456789.eE".contains($0) }) else { return nil }
        if let i = Int64(exactly: d), abs(d) < 1e15, !s.contains("e"), !s.contains("E"), !s.contains(".") {
            return String(i)
        }
        return "\(d)"
    }

    /// Whether `s` matches the JSON number grammar (RFC 8259 §6).
    public static func isJSONNumber(_ s: String) -> Bool {
        let u = Array(s.utf8)
        var i = 0
        func digit(_ k: Int) -> Bool { k < u.count && u[k] >= 0x30 && u[k] <= 0x39 }
        if i < u.count && u[i] == 0x2D { i += 1 }
        guard digit(i) else { return false }
        if u[i] == 0x30 { i += 1 } else { while digit(i) { i += 1 } }
        if i < u.count && u[i] == 0x2E {
            i += 1
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        if i < u.count && (u[i] == 0x65 || u[i] == 0x45) {
            i += 1
            if i < u.count && (u[i] == 0x2B || u[i] == 0x2D) { i += 1 }
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        return i == u.count
    }

    // MARK: - Text

    /// Removes padding and the spaces PS3.5 §6.2 declares insignificant for `vr`.
    static func trim(_ value: Substring, vr: VR) -> String {
        var v = value
        while let last = v.last, last == " " || last == "\0" { v = v.dropLast() }
        switch vr {
        case .LT, .ST, .UT, .UR, .UC: break
        default: while v.first == " " { v = v.dropFirst() }
        }
        return String(v)
    }

    private static func isBlank(_ value: Substring, vr: VR) -> Bool {
        value.allSatisfy { $0 == " " || $0 == "\0" }
    }
}
