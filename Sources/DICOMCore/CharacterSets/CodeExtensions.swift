/// The ISO/IEC 2022 state machine set up by a Specific Character Set whose terms are single-byte sets
/// and/or multi-byte sets with code extensions (PS3.3 C.12.1.1.2, PS3.5 §6.1.2.4 and §6.1.2.5).
///
/// Single-byte sets without code extensions (e.g. `ISO_IR 100`) use the same machinery with no other set
/// declared: G0 holds ISO-IR 6 (or JIS X 0201 Romaji for `ISO_IR 13`) and G1 the set's right half.
struct CodeExtensions: Hashable, Sendable {
    /// G0 at the start of each value and after each delimiter (PS3.5 §6.1.2.5.1 and §6.1.2.5.3):
    /// the G0 set of value 1, ISO-IR 6 when value 1 is empty.
    let initialG0: CodeElement
    /// G1 at the start of each value: the G1 set of value 1 when it is a single-byte set, otherwise none.
    let initialG1: CodeElement?
    /// Every declared set, in the order of the terms, without duplicates.
    let declared: [CodeElement]
    /// G1 assumed when bytes 0x80–0xFF appear before any G1 set was designated: the first declared G1 set.
    /// A leniency for data that relies on the declaration alone (common with `ISO 2022 IR 149`).
    let impliedG1: CodeElement?
    /// For each entry of `declared`, the term that declared it.
    let declaringTerms: [String]
    /// All the terms, joined as in the encoded attribute, for errors not tied to one set.
    let allTerms: String

    /// Sets up the state machine for recognised terms.
    /// - Parameters:
    ///   - valueOne: the term of value 1 (`.defaultRepertoire` when empty or not recognised).
    ///   - terms: the recognised terms in order, with their spelling.
    init(valueOne: DefinedTerm, terms: [(spelling: String, term: DefinedTerm)], allTerms: String) {
        switch valueOne {
        case .singleByte(let g0, let g1):
            initialG0 = g0
            initialG1 = g1
        default:
            initialG0 = .ascii
            initialG1 = nil
        }
        var declared: [CodeElement] = []
        var declaringTerms: [String] = []
        if initialG0 == .ascii, terms.first?.term.codeElements.first != .ascii {
            // Value 1 is empty, unknown or a multi-byte set: ISO-IR 6 is implied in G0.
            declared.append(.ascii)
            declaringTerms.append("ISO 2022 IR 6")
        }
        for (spelling, term) in terms {
            for element in term.codeElements where !declared.contains(element) {
                declared.append(element)
                declaringTerms.append(spelling)
            }
        }
        self.declared = declared
        self.impliedG1 = declared.first(where: { $0.isG1 })
        self.declaringTerms = declaringTerms
        self.allTerms = allTerms
    }

    /// The default repertoire alone: used to read escape sequences found in values when (0008,0005) is
    /// absent or names only ISO-IR 6.
    static let defaultRepertoire = CodeExtensions(
        valueOne: .defaultRepertoire, terms: [("", .defaultRepertoire)], allTerms: "")

    /// Whether the configuration is just the default repertoire (nothing but ISO-IR 6 declared).
    var isDefaultRepertoire: Bool { initialG0 == .ascii && initialG1 == nil && declared == [.ascii] }

    /// The term that declared `element`, or the term that would have declared it if it was designated by an
    /// escape sequence without being declared.
    func term(for element: CodeElement) -> String {
        if let index = declared.firstIndex(of: element) { return declaringTerms[index] }
        return element.definedTerm
    }
}
