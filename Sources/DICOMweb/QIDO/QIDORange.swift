/// A range of DA, TM or DT values (PS3.4 §C.2.2.2.5 Range Matching): `lower-upper`, `lower-` (from `lower`
/// on) or `-upper` (up to `upper`), both bounds inclusive. At least one bound is present.
public struct QIDORange<Bound: Sendable & Hashable>: Sendable, Hashable {
    /// The inclusive lower bound; `nil` for `-upper`.
    public let lower: Bound?
    /// The inclusive upper bound; `nil` for `lower-`.
    public let upper: Bound?

    /// A range with at least one bound; `nil` when both are missing.
    public init?(lower: Bound?, upper: Bound?) {
        guard lower != nil || upper != nil else { return nil }
        (self.lower, self.upper) = (lower, upper)
    }
}

/// The split of a DA, TM or DT query value into a single value or a range (PS3.4 §C.2.2.2.1, §C.2.2.2.5).
enum QIDORangeSyntax {
    enum Parsed<Bound: Sendable & Hashable> {
        case single(Bound)
        case range(QIDORange<Bound>)
    }

    /// DA and TM: values never contain `-`, so the value is a range when it contains exactly one `-`.
    /// `nil` when a bound does not parse, when there is more than one `-`, or when the value is just `-`.
    static func parse<Bound>(_ text: Substring, bound: (Substring) -> Bound?) -> Parsed<Bound>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return bound(text).map { .single($0) }
        case 2: return range(parts[0], parts[1], bound: bound).map { .range($0) }
        default: return nil
        }
    }

    /// DT: `-` is also the sign of a negative UTC offset (`&ZZXX`), so a value such as
    /// `20240101120000-0500-20240102` has several candidate separators. The rule, which keeps every reading
    /// that is itself valid DT:
    /// 1. if the whole value is one valid DT (e.g. `20240101120000-0500`), it is a single value;
    /// 2. otherwise it is a range if exactly one `-` splits it into two valid bounds (either may be empty,
    ///    not both);
    /// 3. otherwise (no reading, or several) it is rejected as ambiguous or malformed.
    static func parseDateTime(_ text: Substring) -> Parsed<QIDODateTime>? {
        if let single = QIDODateTime(text) { return .single(single) }
        var found: QIDORange<QIDODateTime>?
        for index in text.indices where text[index] == "-" {
            guard
                let candidate = range(
                    text[..<index], text[text.index(after: index)...], bound: { QIDODateTime($0) })
            else { continue }
            if found != nil { return nil }
            found = candidate
        }
        return found.map { .range($0) }
    }

    private static func range<Bound>(
        _ lowerText: Substring, _ upperText: Substring, bound: (Substring) -> Bound?
    ) -> QIDORange<Bound>? {
        var lower: Bound?
        var upper: Bound?
        if !lowerText.isEmpty {
            guard let value = bound(lowerText) else { return nil }
            lower = value
        }
        if !upperText.isEmpty {
            guard let value = bound(upperText) else { return nil }
            upper = value
        }
        return QIDORange(lower: lower, upper: upper)
    }
}
