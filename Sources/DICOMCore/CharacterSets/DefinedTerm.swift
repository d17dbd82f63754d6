/// A recognised Defined Term of Specific Character Set (0008,0005), PS3.3 C.12.1.1.2.
enum DefinedTerm: Hashable, Sendable {
    /// The default repertoire, ISO-IR 6: an empty value, `ISO_IR 6` or `ISO 2022 IR 6`.
    case defaultRepertoire
    /// A single-byte set: a G0 set and a G1 set (PS3.3 Tables C.12-2 and C.12-3),
    /// e.g. `ISO_IR 100` / `ISO 2022 IR 100` or `ISO_IR 13` / `ISO 2022 IR 13`.
    case singleByte(g0: CodeElement, g1: CodeElement)
    /// A multi-byte set used with code extensions (PS3.3 Table C.12-4), e.g. `ISO 2022 IR 87`.
    case multiByte(CodeElement)
    /// `ISO_IR 192`: Unicode in UTF-8 (PS3.3 Table C.12-5), no code extensions.
    case utf8
    /// `GB18030` (PS3.3 Table C.12-5), no code extensions.
    case gb18030
    /// `GBK` (PS3.3 Table C.12-5), no code extensions.
    case gbk

    /// Recognises a term, already trimmed of spaces; `nil` if it is not a Defined Term.
    init?(_ term: String) {
        switch term {
        case "", "ISO_IR 6", "ISO 2022 IR 6": self = .defaultRepertoire
        case "ISO_IR 192": self = .utf8
        case "GB18030": self = .gb18030
        case "GBK": self = .gbk
        case "ISO 2022 IR 87": self = .multiByte(.jisX0208)
        case "ISO 2022 IR 159": self = .multiByte(.jisX0212)
        case "ISO 2022 IR 149": self = .multiByte(.ksX1001)
        case "ISO 2022 IR 58": self = .multiByte(.gb2312)
        default:
            let number: Substring
            if term.hasPrefix("ISO_IR ") {
                number = term.dropFirst(7)
            } else if term.hasPrefix("ISO 2022 IR ") {
                number = term.dropFirst(12)
            } else {
                return nil
            }
            let g1: CodeElement
            switch number {
            case "100": g1 = .latin1
            case "101": g1 = .latin2
            case "109": g1 = .latin3
            case "110": g1 = .latin4
            case "144": g1 = .cyrillic
            case "127": g1 = .arabic
            case "126": g1 = .greek
            case "138": g1 = .hebrew
            case "148": g1 = .latin5
            case "203": g1 = .latin9
            case "166": g1 = .thai
            case "13": g1 = .jisX0201Katakana
            default: return nil
            }
            self = .singleByte(g0: g1 == .jisX0201Katakana ? .jisX0201Romaji : .ascii, g1: g1)
        }
    }

    /// The code elements the term declares, G0 first.
    var codeElements: [CodeElement] {
        switch self {
        case .defaultRepertoire: [.ascii]
        case .singleByte(let g0, let g1): [g0, g1]
        case .multiByte(let element): [element]
        case .utf8, .gb18030, .gbk: []
        }
    }
}
