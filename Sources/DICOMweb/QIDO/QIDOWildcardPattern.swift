/// A value with `*` or `?` (PS3.4 §C.2.2.2.4 Wild Card Matching): `*` matches any run of characters,
/// including none, `?` exactly one character; everything else matches itself. The archive turns it into a
/// `LIKE` pattern with its own escaping; the pattern never leaves this typed form before that.
public struct QIDOWildcardPattern: Sendable, Hashable, CustomStringConvertible {
    /// One piece of the pattern.
    public enum Element: Sendable, Hashable {
        /// Characters that must appear as they are.
        case literal(String)
        /// `*`: zero or more characters.
        case anyRun
        /// `?`: exactly one character.
        case anyCharacter
    }

    /// The pieces in order; consecutive `*` are merged into one ``Element/anyRun``.
    public let elements: [Element]

    /// Splits `text` into literals and wildcards.
    public init(_ text: Substring) {
        var elements: [Element] = []
        var literal = ""
        for character in text {
            switch character {
            case "*", "?":
                if !literal.isEmpty { elements.append(.literal(literal)) }
                literal = ""
                let element: Element = character == "*" ? .anyRun : .anyCharacter
                if element == .anyRun, elements.last == .anyRun { continue }
                elements.append(element)
            default:
                literal.append(character)
            }
        }
        if !literal.isEmpty { elements.append(.literal(literal)) }
        self.elements = elements
    }

    /// Whether `text` contains a wildcard character.
    static func hasWildcard(_ text: Substring) -> Bool { text.contains { $0 == "*" || $0 == "?" } }

    /// The pattern as written in a query.
    public var description: String {
        elements.map {
            switch $0 {
            case .literal(let text): text
            case .anyRun: "*"
            case .anyCharacter: "?"
            }
        }.joined()
    }
}
