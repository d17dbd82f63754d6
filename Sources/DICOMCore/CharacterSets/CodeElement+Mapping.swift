extension CodeElement {
    /// The table of a 96-character G1 set, if this is one.
    var singleByteTable: SingleByteTable? {
        switch self {
        case .latin1: CodeTables.latin1
        case .latin2: CodeTables.latin2
        case .latin3: CodeTables.latin3
        case .latin4: CodeTables.latin4
        case .cyrillic: CodeTables.cyrillic
        case .arabic: CodeTables.arabic
        case .greek: CodeTables.greek
        case .hebrew: CodeTables.hebrew
        case .latin5: CodeTables.latin5
        case .latin9: CodeTables.latin9
        case .thai: CodeTables.thai
        default: nil
        }
    }

    /// The table of a multi-byte set, if this is one.
    var doubleByteTable: DoubleByteTable? {
        switch self {
        case .jisX0208: CodeTables.jisX0208
        case .jisX0212: CodeTables.jisX0212
        case .ksX1001: CodeTables.ksX1001
        case .gb2312: CodeTables.gb2312
        default: nil
        }
    }
}

/// A code element with its mapping table looked up once, for the per-byte and per-character work of the
/// ISO 2022 decoder and encoder.
struct ResolvedCodeElement {
    let element: CodeElement
    private let single: SingleByteTable?
    private let double: DoubleByteTable?

    init(_ element: CodeElement) {
        self.element = element
        self.single = element.singleByteTable
        self.double = element.doubleByteTable
    }

    /// Whether the platform's iconv provided the mapping of this set.
    var isAvailable: Bool { single?.isAvailable ?? double?.isAvailable ?? true }

    /// Decodes one byte of a single-byte set: 0x21–0x7E for the G0 sets, 0xA0–0xFF for the G1 sets.
    @inline(__always) func decode(byte: UInt8) -> Unicode.Scalar? {
        if let single { return single.scalar(for: byte) }
        switch element {
        case .ascii:
            return byte < 0x80 ? Unicode.Scalar(byte) : nil
        case .jisX0201Romaji:
            switch byte {
            case 0x5C: return "\u{A5}"  // YEN SIGN
            case 0x7E: return "\u{203E}"  // OVERLINE
            case 0..<0x80: return Unicode.Scalar(byte)
            default: return nil
            }
        case .jisX0201Katakana:
            guard (0xA1...0xDF).contains(byte) else { return nil }
            return Unicode.Scalar(0xFF61 + UInt32(byte - 0xA1))
        default:
            return nil
        }
    }

    /// Decodes a two-byte code of a multi-byte set; the high bit of each byte is ignored, so G0 (7-bit) and
    /// G1 (8-bit) forms are both accepted (callers check the byte ranges).
    @inline(__always) func decode(_ b1: UInt8, _ b2: UInt8) -> Unicode.Scalar? {
        double?.scalar(b1 & 0x7F, b2 & 0x7F)
    }

    /// The bytes that represent `scalar` in this set as invoked in its own half (G0: 7-bit, G1: 8-bit);
    /// `second` is `nil` for single-byte sets. `nil` if the set cannot represent the character.
    ///
    /// - Parameter reservingBackslash: whether byte 0x5C is the value delimiter and so cannot stand for a
    ///   character (the JIS X 0201 Romaji YEN SIGN) in a multi-valued VR.
    @inline(__always) func encode(
        _ scalar: Unicode.Scalar, reservingBackslash: Bool
    ) -> (first: UInt8, second: UInt8?)? {
        if let single { return single.byte(for: scalar).map { ($0, nil) } }
        if let double {
            guard let code = double.code(for: scalar) else { return nil }
            let high: UInt8 = element.isG1 ? 0x80 : 0
            return (UInt8(code >> 8) | high, UInt8(code & 0xFF) | high)
        }
        let value = scalar.value
        switch element {
        case .ascii:
            return value < 0x80 ? (UInt8(value), nil) : nil
        case .jisX0201Romaji:
            switch value {
            case 0xA5: return reservingBackslash ? nil : (0x5C, nil)
            case 0x203E: return (0x7E, nil)
            case 0x5C, 0x7E: return nil
            case 0..<0x80: return (UInt8(value), nil)
            default: return nil
            }
        case .jisX0201Katakana:
            guard (0xFF61...0xFF9F).contains(value) else { return nil }
            return (UInt8(value - 0xFF61) + 0xA1, nil)
        default:
            return nil
        }
    }
}
