/// Mapping between the bytes 0xA0–0xFF of a 96-character single-byte set and Unicode.
///
/// Built once from the platform's iconv (glibc gconv), so no third-party mapping data lives in the source.
/// A class, immutable after initialisation, so that holding it costs one reference.
final class SingleByteTable: Sendable {
    /// Unicode scalar value of bytes 0xA0...0xFF, 0 where the byte is unassigned.
    private let scalars: [UInt32]
    private let bytesByScalar: [UInt32: UInt8]
    /// Whether iconv knew the encoding; when it did not, every high byte is unassigned.
    let isAvailable: Bool

    init(iconvName: String) {
        var scalars = [UInt32](repeating: 0, count: 96)
        var reverse: [UInt32: UInt8] = [:]
        guard let converter = IconvConverter(from: iconvName, to: "UTF-32LE") else {
            self.scalars = scalars
            self.bytesByScalar = reverse
            self.isAvailable = false
            return
        }
        for byte in UInt8(0xA0)...0xFF {
            if let scalar = converter.singleScalar(of: [byte]) {
                scalars[Int(byte - 0xA0)] = scalar
                if reverse[scalar] == nil { reverse[scalar] = byte }
            }
        }
        self.scalars = scalars
        self.bytesByScalar = reverse
        self.isAvailable = true
    }

    /// The character for a byte in 0x80...0xFF; `nil` if unassigned.
    @inline(__always) func scalar(for byte: UInt8) -> Unicode.Scalar? {
        guard byte >= 0xA0 else { return nil }
        let value = scalars[Int(byte &- 0xA0)]
        return value == 0 ? nil : Unicode.Scalar(value)
    }

    /// The byte (0xA0–0xFF) for a character; `nil` if the set lacks it.
    @inline(__always) func byte(for scalar: Unicode.Scalar) -> UInt8? { bytesByScalar[scalar.value] }
}

/// Mapping between the 94 × 94 two-byte codes of a multi-byte set and Unicode.
///
/// Codes are stored in their 7-bit form (both bytes 0x21–0x7E), as in a G0 designation; G1 uses the same
/// codes with the high bit of each byte set. Built once from the platform's iconv through an EUC encoding
/// that contains the set.
final class DoubleByteTable: Sendable {
    /// Unicode scalar value of code (b1, b2) at index (b1 - 0x21) * 94 + (b2 - 0x21); 0 where unassigned.
    private let scalars: [UInt32]
    private let codesByScalar: [UInt32: UInt16]
    /// Whether iconv knew the encoding; when it did not, every code is unassigned.
    let isAvailable: Bool

    /// - Parameters:
    ///   - iconvName: an EUC encoding holding the set in its 0xA1–0xFE byte pairs.
    ///   - prefix: bytes before each pair (0x8F, single shift 3, for JIS X 0212 in EUC-JP).
    init(iconvName: String, prefix: [UInt8] = []) {
        var scalars = [UInt32](repeating: 0, count: 94 * 94)
        var reverse: [UInt32: UInt16] = [:]
        guard let converter = IconvConverter(from: iconvName, to: "UTF-32LE") else {
            self.scalars = scalars
            self.codesByScalar = reverse
            self.isAvailable = false
            return
        }
        reverse.reserveCapacity(94 * 94)
        var input = prefix + [0, 0]
        let first = prefix.count
        for b1 in UInt8(0x21)...0x7E {
            for b2 in UInt8(0x21)...0x7E {
                input[first] = b1 | 0x80
                input[first + 1] = b2 | 0x80
                guard let scalar = converter.singleScalar(of: input) else { continue }
                scalars[Int(b1 - 0x21) * 94 + Int(b2 - 0x21)] = scalar
                if reverse[scalar] == nil { reverse[scalar] = UInt16(b1) << 8 | UInt16(b2) }
            }
        }
        self.scalars = scalars
        self.codesByScalar = reverse
        self.isAvailable = true
    }

    /// The character for a code given as two 7-bit bytes; `nil` if unassigned or out of range.
    @inline(__always) func scalar(_ b1: UInt8, _ b2: UInt8) -> Unicode.Scalar? {
        guard (0x21...0x7E).contains(b1), (0x21...0x7E).contains(b2) else { return nil }
        let value = scalars[Int(b1 &- 0x21) * 94 + Int(b2 &- 0x21)]
        return value == 0 ? nil : Unicode.Scalar(value)
    }

    /// The 7-bit code (first byte in the high half) for a character; `nil` if the set lacks it.
    @inline(__always) func code(for scalar: Unicode.Scalar) -> UInt16? { codesByScalar[scalar.value] }
}

extension IconvConverter {
    /// Converts a short byte sequence to UTF-32LE and returns its value if it is exactly one character.
    fileprivate func singleScalar(of bytes: [UInt8]) -> UInt32? {
        reset()
        var output: (UInt32, UInt32) = (0, 0)
        let step = bytes.withUnsafeBytes { input in
            withUnsafeMutableBytes(of: &output) { convert(input, into: $0) }
        }
        guard step.error == nil, step.consumed == bytes.count, step.produced == 4 else { return nil }
        return UInt32(littleEndian: output.0)
    }
}

/// The mapping tables of the ISO 2022 code elements, each built on first use.
///
/// Swift initialises `static let` properties lazily and exactly once, even under concurrent first use,
/// and the tables are immutable afterwards, so they are shared freely between threads.
enum CodeTables {
    static let latin1 = SingleByteTable(iconvName: "ISO-8859-1")
    static let latin2 = SingleByteTable(iconvName: "ISO-8859-2")
    static let latin3 = SingleByteTable(iconvName: "ISO-8859-3")
    static let latin4 = SingleByteTable(iconvName: "ISO-8859-4")
    static let cyrillic = SingleByteTable(iconvName: "ISO-8859-5")
    static let arabic = SingleByteTable(iconvName: "ISO-8859-6")
    static let greek = SingleByteTable(iconvName: "ISO-8859-7")
    static let hebrew = SingleByteTable(iconvName: "ISO-8859-8")
    static let latin5 = SingleByteTable(iconvName: "ISO-8859-9")
    static let latin9 = SingleByteTable(iconvName: "ISO-8859-15")
    static let thai = SingleByteTable(iconvName: "TIS-620")
    static let jisX0208 = DoubleByteTable(iconvName: "EUC-JP")
    static let jisX0212 = DoubleByteTable(iconvName: "EUC-JP", prefix: [0x8F])
    static let ksX1001 = DoubleByteTable(iconvName: "EUC-KR")
    static let gb2312 = DoubleByteTable(iconvName: "EUC-CN")
}
