/// Matches text against a ``QIDOWildcardPattern`` (PS3.4 §C.2.2.2.4 Wild Card Matching) character by
/// character: a Swift `Character` (an extended grapheme cluster), never a byte or a UTF-16 unit, so `?`
/// matches one `é` or one `山` whatever their encoding in the stored character set.
struct QIDOWildcardMatcher: Sendable {
    private enum Token: Sendable, Equatable {
        case character(Character)
        case one
        case run
    }

    private let tokens: [Token]

    /// The matcher of `pattern`, its literal characters passed through `transform` first (case and accent
    /// folding for PN; identity otherwise).
    init(_ pattern: QIDOWildcardPattern, transform: (String) -> String = { $0 }) {
        var tokens: [Token] = []
        for element in pattern.elements {
            switch element {
            case .literal(let text): tokens += transform(text).map(Token.character)
            case .anyCharacter: tokens.append(.one)
            case .anyRun: tokens.append(.run)
            }
        }
        self.tokens = tokens
    }

    /// Whether the whole of `text` matches (greedy with backtracking to the last `*`: linear for one `*`,
    /// at worst proportional to the pattern times the text).
    func matches(_ text: String) -> Bool {
        let characters = Array(text)
        var t = 0
        var p = 0
        var lastRun: Int?
        var resumeAt = 0
        while t < characters.count {
            if p < tokens.count {
                switch tokens[p] {
                case .run:
                    lastRun = p
                    resumeAt = t
                    p += 1
                    continue
                case .one:
                    t += 1
                    p += 1
                    continue
                case .character(let character) where character == characters[t]:
                    t += 1
                    p += 1
                    continue
                case .character:
                    break
                }
            }
            guard let run = lastRun else { return false }
            p = run + 1
            resumeAt += 1
            t = resumeAt
        }
        while p < tokens.count, tokens[p] == .run { p += 1 }
        return p == tokens.count
    }
}
