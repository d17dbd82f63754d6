/// A graphic character set that ISO/IEC 2022 code extension can designate to G0 or G1, as listed for
/// each Defined Term in PS3.3 Tables C.12-2, C.12-3 and C.12-4.
///
/// G0 sets occupy bytes 0x21–0x7E (two bytes per character for the multi-byte sets); G1 sets occupy
/// bytes 0xA0–0xFF (0xA1–0xFE byte pairs for the multi-byte sets).
enum CodeElement: UInt8, Hashable, Sendable, CaseIterable {
    /// ISO-IR 6, ISO 646 (ASCII): the default repertoire. G0.
    case ascii
    /// ISO-IR 14, JIS X 0201 Romaji: ASCII except 0x5C = YEN SIGN and 0x7E = OVERLINE. G0.
    case jisX0201Romaji
    /// ISO-IR 13, JIS X 0201 Katakana (half-width katakana). G1.
    case jisX0201Katakana
    /// ISO-IR 100, ISO 8859-1 right part (Latin alphabet No. 1). G1.
    case latin1
    /// ISO-IR 101, ISO 8859-2 right part (Latin alphabet No. 2). G1.
    case latin2
    /// ISO-IR 109, ISO 8859-3 right part (Latin alphabet No. 3). G1.
    case latin3
    /// ISO-IR 110, ISO 8859-4 right part (Latin alphabet No. 4). G1.
    case latin4
    /// ISO-IR 144, ISO 8859-5 right part (Cyrillic). G1.
    case cyrillic
    /// ISO-IR 127, ISO 8859-6 right part (Arabic). G1.
    case arabic
    /// ISO-IR 126, ISO 8859-7 right part (Greek). G1.
    case greek
    /// ISO-IR 138, ISO 8859-8 right part (Hebrew). G1.
    case hebrew
    /// ISO-IR 148, ISO 8859-9 right part (Latin alphabet No. 5). G1.
    case latin5
    /// ISO-IR 203, ISO 8859-15 right part (Latin alphabet No. 9). G1.
    case latin9
    /// ISO-IR 166, TIS 620-2533 right part (Thai). G1.
    case thai
    /// ISO-IR 87, JIS X 0208 (Kanji). Multi-byte G0.
    case jisX0208
    /// ISO-IR 159, JIS X 0212 (supplementary Kanji). Multi-byte G0.
    case jisX0212
    /// ISO-IR 149, KS X 1001 (Hangul and Hanja). Multi-byte G1.
    case ksX1001
    /// ISO-IR 58, GB 2312 (simplified Chinese). Multi-byte G1.
    case gb2312

    /// Whether the set is designated to G1 (bytes with the high bit set) rather than G0.
    var isG1: Bool {
        switch self {
        case .ascii, .jisX0201Romaji, .jisX0208, .jisX0212: false
        default: true
        }
    }

    /// Whether each character takes two bytes.
    var isMultiByte: Bool {
        switch self {
        case .jisX0208, .jisX0212, .ksX1001, .gb2312: true
        default: false
        }
    }

    /// The escape sequence that designates this set (PS3.3 Tables C.12-3 and C.12-4).
    var escapeSequence: [UInt8] {
        let esc: UInt8 = 0x1B
        switch self {
        case .ascii: return [esc, 0x28, 0x42]  // ESC ( B
        case .jisX0201Romaji: return [esc, 0x28, 0x4A]  // ESC ( J
        case .jisX0201Katakana: return [esc, 0x29, 0x49]  // ESC ) I
        case .latin1: return [esc, 0x2D, 0x41]  // ESC - A
        case .latin2: return [esc, 0x2D, 0x42]  // ESC - B
        case .latin3: return [esc, 0x2D, 0x43]  // ESC - C
        case .latin4: return [esc, 0x2D, 0x44]  // ESC - D
        case .cyrillic: return [esc, 0x2D, 0x4C]  // ESC - L
        case .arabic: return [esc, 0x2D, 0x47]  // ESC - G
        case .greek: return [esc, 0x2D, 0x46]  // ESC - F
        case .hebrew: return [esc, 0x2D, 0x48]  // ESC - H
        case .latin5: return [esc, 0x2D, 0x4D]  // ESC - M
        case .latin9: return [esc, 0x2D, 0x62]  // ESC - b
        case .thai: return [esc, 0x2D, 0x54]  // ESC - T
        case .jisX0208: return [esc, 0x24, 0x42]  // ESC $ B
        case .jisX0212: return [esc, 0x24, 0x28, 0x44]  // ESC $ ( D
        case .ksX1001: return [esc, 0x24, 0x29, 0x43]  // ESC $ ) C
        case .gb2312: return [esc, 0x24, 0x29, 0x41]  // ESC $ ) A
        }
    }

    /// The set designated by an escape sequence (the bytes after ESC, up to and including the final byte).
    static func designated(by sequence: ArraySlice<UInt8>) -> CodeElement? {
        for element in allCases where element.escapeSequence.dropFirst().elementsEqual(sequence) {
            return element
        }
        return nil
    }

    /// The "ISO 2022" Defined Term that declares this set, used in error messages when the set was designated
    /// by an escape sequence without being declared.
    var definedTerm: String {
        switch self {
        case .ascii: "ISO 2022 IR 6"
        case .jisX0201Romaji, .jisX0201Katakana: "ISO 2022 IR 13"
        case .latin1: "ISO 2022 IR 100"
        case .latin2: "ISO 2022 IR 101"
        case .latin3: "ISO 2022 IR 109"
        case .latin4: "ISO 2022 IR 110"
        case .cyrillic: "ISO 2022 IR 144"
        case .arabic: "ISO 2022 IR 127"
        case .greek: "ISO 2022 IR 126"
        case .hebrew: "ISO 2022 IR 138"
        case .latin5: "ISO 2022 IR 148"
        case .latin9: "ISO 2022 IR 203"
        case .thai: "ISO 2022 IR 166"
        case .jisX0208: "ISO 2022 IR 87"
        case .jisX0212: "ISO 2022 IR 159"
        case .ksX1001: "ISO 2022 IR 149"
        case .gb2312: "ISO 2022 IR 58"
        }
    }
}
