/// One page of search results collected from matches offered in a stable order (PS3.18 §8.3.4.4): the first
/// `offset` matches are skipped, the next `limit` kept, and the rest counted, so the response can say how
/// many more results there are.
public struct SearchPage<Element> {
    /// Matches to skip.
    public let offset: Int
    /// Matches to keep at most.
    public let limit: Int
    /// The kept matches.
    public private(set) var matches: [Element] = []
    /// Matches after the kept ones.
    public private(set) var remaining = 0
    private var skipped = 0

    /// An empty page.
    public init(offset: Int, limit: Int) {
        self.offset = offset
        self.limit = limit
    }

    /// Takes the next match; `make` builds it only when it is kept.
    public mutating func offer(_ make: () throws -> Element) rethrows {
        if skipped < offset {
            skipped += 1
        } else if matches.count < limit {
            matches.append(try make())
        } else {
            remaining += 1
        }
    }
}

extension SearchPage: Sendable where Element: Sendable {}
