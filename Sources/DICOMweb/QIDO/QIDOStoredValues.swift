/// What an item of a data set inherits from the data sets enclosing it, to read its values: the Specific
/// Character Set (PS3.5 §6.1.2.5.3: an item without (0008,0005) uses its parent's) and the Timezone Offset
/// From UTC (PS3.3 §C.12.1.1.8, which applies to the DA, TM and DT values of the whole data set).
struct QIDOReadingContext: Sendable {
    /// The character set of the text values.
    var characterSet: SpecificCharacterSet
    /// (0008,0201) in minutes, when given and valid.
    var utcOffsetMinutes: Int?

    /// The context of a top-level data set: the default repertoire and no offset until the data set says.
    static let root = QIDOReadingContext(characterSet: .default, utcOffsetMinutes: nil)

    /// The context of `dataSet` nested in this one: its own character set and offset when it declares them.
    func entering(_ dataSet: DataSet) -> QIDOReadingContext {
        var context = self
        if let bytes = dataSet[.specificCharacterSet]?.value.bytes {
            context.characterSet = SpecificCharacterSet(encodedValue: bytes)
        }
        if let element = dataSet[Self.timezoneOffsetFromUTC],
            let text = QIDOStoredValues.strings(element, vr: .SH, characterSet: context.characterSet)?.first,
            let offset = QIDOTemporal.utcOffset(Substring(text))
        {
            context.utcOffsetMinutes = offset
        }
        return context
    }

    static let timezoneOffsetFromUTC = Tag.timezoneOffsetFromUTC
}

/// Reads the values of a stored element for matching (PS3.5 §6.2 value rules), without DICOMBinary: text is
/// decoded with ``SpecificCharacterSet/decode(_:vr:)-(ArraySlice<UInt8>,_)``, split on `\` where the VR allows
/// several values, and stripped of padding and insignificant spaces; empty values are dropped, so an empty
/// result means an empty attribute. `nil` means the value cannot be read (undecodable text, wrong length,
/// not a number): such an element matches no key, not even through empty value matching.
enum QIDOStoredValues {
    /// The VR to read `element` with: its own, or the dictionary's (`fallback`) when it was stored as UN.
    static func vr(of element: DataElement, fallback: VR) -> VR { element.vr == .UN ? fallback : element.vr }

    /// Text values (any string VR; numbers as written).
    static func strings(_ element: DataElement, vr: VR, characterSet: SpecificCharacterSet) -> [String]? {
        guard case .bytes(let bytes) = element.value else { return nil }
        guard vr.isString else { return nil }
        guard let text = try? characterSet.decode(bytes, vr: vr) else { return nil }
        let raw: [Substring] =
            vr.allowsMultipleValues ? text.split(separator: "\\", omittingEmptySubsequences: false) : [Substring(text)]
        return raw.map { trim($0, vr: vr) }.filter { !$0.isEmpty }
    }

    /// Removes the padding and the spaces PS3.5 §6.2 declares insignificant: trailing spaces and NULs always,
    /// leading spaces too except in LT, ST, UT, UR and UC.
    static func trim(_ value: Substring, vr: VR) -> String {
        var text = value
        while let last = text.last, last == " " || last == "\0" { text = text.dropLast() }
        switch vr {
        case .LT, .ST, .UT, .UR, .UC: break
        default: while text.first == " " { text = text.dropFirst() }
        }
        return String(text)
    }

    /// Integer values of US, SS, UL, SL, UV, SV (binary, little endian) or IS (text); `nil` for another VR or
    /// an unreadable value. UV values above `Int64.max` are `nil` entries, which match no query integer.
    static func integers(_ element: DataElement, vr: VR) -> [Int64?]? {
        guard case .bytes(let bytes) = element.value else { return nil }
        switch vr {
        case .US: return words(bytes, 2).map { Int64($0) }
        case .SS: return words(bytes, 2).map { Int64(Int16(truncatingIfNeeded: $0)) }
        case .UL: return words(bytes, 4).map { Int64($0) }
        case .SL: return words(bytes, 4).map { Int64(Int32(truncatingIfNeeded: $0)) }
        case .UV: return words(bytes, 8).map { Int64(exactly: $0) }
        case .SV: return words(bytes, 8).map { Int64(bitPattern: $0) }
        case .IS:
            guard let texts = strings(element, vr: .IS, characterSet: .default) else { return nil }
            var values: [Int64?] = []
            for text in texts {
                guard let value = Int64(text) else { return nil }
                values.append(value)
            }
            return values
        default: return nil
        }
    }

    /// Decimal values of DS (text), FL, FD (binary), or of an integer VR; `nil` for another VR or an unreadable
    /// value.
    static func decimals(_ element: DataElement, vr: VR) -> [Double]? {
        guard case .bytes(let bytes) = element.value else { return nil }
        switch vr {
        case .FL: return words(bytes, 4).map { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        case .FD: return words(bytes, 8).map { Double(bitPattern: $0) }
        case .DS:
            guard let texts = strings(element, vr: .DS, characterSet: .default) else { return nil }
            var values: [Double] = []
            for text in texts {
                guard let value = Double(text), value.isFinite else { return nil }
                values.append(value)
            }
            return values
        default:
            return integers(element, vr: vr)?.map { $0.map(Double.init) ?? .nan }
        }
    }

    /// AT values (pairs of little-endian group and element numbers).
    static func tags(_ element: DataElement) -> [Tag]? {
        guard case .bytes(let bytes) = element.value, bytes.count % 4 == 0 else { return nil }
        return words(bytes, 2).chunked2.map { Tag(group: UInt16($0.0), element: UInt16($0.1)) }
    }

    /// Little-endian unsigned words of `size` bytes; `nil`-free, a trailing partial word is ignored.
    private static func words(_ bytes: [UInt8], _ size: Int) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(bytes.count / size)
        var index = 0
        while index + size <= bytes.count {
            var value: UInt64 = 0
            for k in 0..<size { value |= UInt64(bytes[index + k]) << (8 * UInt64(k)) }
            out.append(value)
            index += size
        }
        return out
    }
}

extension Array where Element == UInt64 {
    /// Consecutive pairs (a trailing odd element is dropped).
    fileprivate var chunked2: [(UInt64, UInt64)] {
        stride(from: 0, to: count - 1, by: 2).map { (self[$0], self[$0 + 1]) }
    }
}
