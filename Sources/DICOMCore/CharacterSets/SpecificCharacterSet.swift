/// The character set of a data set's text, from Specific Character Set (0008,0005)
/// (PS3.3 C.12.1.1.2, PS3.5 §6.1).
///
/// Every Defined Term of PS3.3 C.12.1.1.2 is recognised:
/// - the default repertoire (ISO-IR 6): an empty value, `ISO_IR 6`, `ISO 2022 IR 6`;
/// - single-byte sets without code extensions (Table C.12-2): `ISO_IR 100`, `101`, `109`, `110`, `144`,
///   `127`, `126`, `138`, `148`, `203`, `13`, `166`;
/// - single-byte sets with code extensions (Table C.12-3): `ISO 2022 IR 6`, `100`, `101`, `109`, `110`,
///   `144`, `127`, `126`, `138`, `148`, `203`, `13`, `166`;
/// - multi-byte sets with code extensions (Table C.12-4): `ISO 2022 IR 87`, `ISO 2022 IR 159`,
///   `ISO 2022 IR 149`, `ISO 2022 IR 58`;
/// - multi-byte sets without code extensions (Table C.12-5): `ISO_IR 192` (UTF-8), `GB18030`, `GBK`.
///
/// With several values, code extension techniques (ISO/IEC 2022 escape sequences, PS3.5 §6.1.2.5) are
/// used; an empty value 1 stands for ISO 2022 IR 6, and an `ISO_IR` spelling in a multi-valued attribute
/// is read as its `ISO 2022 IR` counterpart. Terms that are not recognised are listed in `unknownTerms`
/// and otherwise ignored (an unknown value 1 is read as the default repertoire). When `ISO_IR 192`,
/// `GB18030` or `GBK` appears, the first of them governs the whole value and other terms are ignored.
///
/// Character mappings come from the platform's iconv (glibc gconv on Linux): the single-byte and ISO 2022
/// multi-byte sets are turned into lookup tables on first use; GB18030 and GBK are converted by iconv on
/// each call. Pure-ASCII values never touch either.
public struct SpecificCharacterSet: Hashable, Sendable {
    /// How values are decoded, derived from the terms.
    enum Scheme: Hashable, Sendable {
        /// ISO-IR 6 only.
        case defaultRepertoire
        /// `ISO_IR 192`.
        case utf8
        /// `GB18030` or `GBK`: the iconv encoding name and the term.
        case iconv(name: String, term: String)
        /// Single-byte sets and/or ISO 2022 code extensions.
        case codeExtensions(CodeExtensions)
    }

    /// The default character repertoire, ISO-IR 6 (ASCII), used when (0008,0005) is absent or empty
    /// (PS3.5 §6.1.2.1, PS3.3 C.12.1.1.2).
    public static let `default` = SpecificCharacterSet(terms: [])

    /// The values of Specific Character Set (0008,0005) (PS3.3 C.12.1.1.2), trimmed of leading and trailing
    /// spaces, in their order: value 1 names the set in use at the start of each value (PS3.5 §6.1.2.5.1).
    public let terms: [String]
    /// The terms that are not Defined Terms of PS3.3 C.12.1.1.2 (Tables C.12-2 to C.12-5); they are ignored
    /// (read as the default repertoire) and reported here so callers can warn.
    public let unknownTerms: [String]
    let scheme: Scheme

    /// Creates the character set named by the values of (0008,0005) (PS3.3 C.12.1.1.2), e.g. `["ISO_IR 192"]`,
    /// `["", "ISO 2022 IR 87"]` or `["ISO 2022 IR 6", "ISO 2022 IR 100"]`. Values are trimmed of spaces.
    public init(terms: [String]) {
        let trimmed = terms.map(Self.trimmed)
        var recognised: [(spelling: String, term: DefinedTerm)] = []
        var unknown: [String] = []
        var valueOne = DefinedTerm.defaultRepertoire
        for (position, spelling) in trimmed.enumerated() {
            if spelling.isEmpty && position > 0 { continue }  // an empty later value declares nothing
            guard let term = DefinedTerm(spelling) else {
                unknown.append(spelling)
                continue
            }
            if position == 0 { valueOne = term }
            recognised.append((spelling, term))
        }
        self.terms = trimmed
        self.unknownTerms = unknown

        if let stateless = recognised.first(where: { [.utf8, .gb18030, .gbk].contains($0.term) }) {
            switch stateless.term {
            case .gb18030: scheme = .iconv(name: "GB18030", term: stateless.spelling)
            case .gbk: scheme = .iconv(name: "GBK", term: stateless.spelling)
            default: scheme = .utf8
            }
            return
        }
        let extensions = CodeExtensions(
            valueOne: valueOne, terms: recognised, allTerms: trimmed.joined(separator: "\\"))
        scheme = extensions.isDefaultRepertoire ? .defaultRepertoire : .codeExtensions(extensions)
    }

    /// Creates the character set from the raw value of (0008,0005) (PS3.3 C.12.1.1.2): split on backslashes,
    /// each value trimmed of spaces (and stray NUL padding). An empty value means the default repertoire
    /// (PS3.5 §6.1.2.1).
    public init(encodedValue: [UInt8]) {
        // The values nearly every data set carries, parsed once: QIDO and the encoders read (0008,0005) once
        // per data set, so this is on their hot path.
        for (value, parsed) in Self.common where value == encodedValue {
            self = parsed
            return
        }
        let trimmedValue = String(decoding: encodedValue, as: UTF8.self)
        if Self.trimmed(trimmedValue).isEmpty {
            self.init(terms: [])
            return
        }
        let parts = encodedValue.split(separator: 0x5C, omittingEmptySubsequences: false)
        self.init(terms: parts.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Whether text is read as the default repertoire (ISO-IR 6, PS3.5 §6.1.2.1) only: no term, or only terms
    /// naming ISO-IR 6. Also true when every term is unknown; check `unknownTerms`.
    public var isDefault: Bool { scheme == .defaultRepertoire }

    private static let common: [([UInt8], SpecificCharacterSet)] = ["ISO_IR 192", "ISO_IR 100", ""].map {
        (Array($0.utf8), SpecificCharacterSet(terms: $0.isEmpty ? [] : [$0]))
    }

    private static func trimmed(_ term: String) -> String {
        let scalars = term.unicodeScalars
        let isPadding: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\0" }
        guard let first = scalars.firstIndex(where: { !isPadding($0) }),
            let last = scalars.lastIndex(where: { !isPadding($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
