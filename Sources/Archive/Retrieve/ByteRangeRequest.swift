import DICOMweb

/// A single `bytes=` range of a representation made of stored byte ranges (RFC 9110 §14.1.2): which stored
/// bytes a partial retrieve sends. Transport-free: the text is the range specification, wherever it came from.
public struct ByteRangeRequest: Sendable, Hashable {
    /// The first position, from 0.
    public var first: UInt64
    /// The last position, inclusive.
    public var last: UInt64

    /// Parses `bytes=first-last`, `bytes=first-` or `bytes=-suffix` against a representation of `total`
    /// bytes; nil when the range is malformed, several ranges, or cannot be satisfied (416). Positions past
    /// the representation, however many digits, are clamped to it (§14.1.2), never overflow.
    public init?(_ header: String, total: UInt64) {
        guard header.hasPrefix("bytes="), total > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingWhitespace
        let last = spec[spec.index(after: dash)...].trimmingWhitespace
        if first.isEmpty {
            guard let suffix: UInt64 = DecimalNumber.saturating(last), suffix > 0 else { return nil }
            (self.first, self.last) = (total - min(suffix, total), total - 1)
            return
        }
        guard let start: UInt64 = DecimalNumber.saturating(first), start < total else { return nil }
        guard let end = last.isEmpty ? total - 1 : DecimalNumber.saturating(last).map({ min($0, total - 1) }),
            end >= start
        else { return nil }
        (self.first, self.last) = (start, end)
    }

    /// The stored pieces of this range of the concatenation of `ranges`, in order.
    public func slice(_ ranges: [ByteRange]) -> [ByteRange] {
        var out: [ByteRange] = []
        var position: UInt64 = 0
        for range in ranges {
            defer { position += range.length }
            let lower = max(first, position)
            let upper = min(last + 1, position + range.length)
            guard lower < upper else { continue }
            out.append(ByteRange(offset: range.offset + (lower - position), length: upper - lower))
        }
        return out
    }
}
