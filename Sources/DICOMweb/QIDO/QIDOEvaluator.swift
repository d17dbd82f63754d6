/// Decides whether a stored entity matches a QIDO-RS search: the single source of truth for the matching
/// semantics of PS3.4 §C.2.2.2 and PS3.18 §8.3.4, applied to the entity's attributes as a ``DataSet``
/// (the archive's SQL only prefilters candidates).
///
/// An entity matches when it matches every key and every combined date-time range (they are ANDed). Per key:
/// - Universal Matching (§C.2.2.2.3) always matches, even an absent attribute.
/// - Absent or empty attributes (including an attribute whose values are all empty, or a sequence without
///   items) do not match a non-universal key (§C.2.2.2.1 compares values, and there is none), unless the
///   query says `emptyvaluematching=true` (PS3.18 §8.3.4.5); absent parameter or `false`: no match.
/// - Multi-valued attributes match when any one value matches (PS3.4 §C.2.2.2, multiple value matching);
///   with `multiplevaluematching=false` (PS3.18 §8.3.4.6) only single-valued attributes can match.
/// - Values are decoded in the data set's Specific Character Set (an item inherits its parent's), so keys
///   are compared as Unicode text. A value that cannot be decoded or parsed matches nothing.
/// - Text (AE, AS, CS, LO, LT, SH, ST, UC, UR, UT) and UIDs: exact and case-sensitive after removing padding
///   and insignificant spaces (PS3.5 §6.2), on both the stored value and the query value (§C.2.2.2.1).
/// - Person names: see ``QIDOPersonNameMatcher`` (case insensitive, any component group; with fuzzy matching
///   also accent insensitive, and matching by prefixes and Soundex).
/// - Wild Card Matching (§C.2.2.2.4): per character; case-sensitive except for PN.
/// - Dates and times (§C.2.2.2.1, §C.2.2.2.5): see ``QIDOTemporal``. A query value covers the interval of its
///   precision, ranges are inclusive and may be open at one end, a stored value is the instant it starts.
///   DT values are compared in UTC when both the query value and the stored value have an offset (the stored
///   value's own `&ZZXX`, else the data set's TimezoneOffsetFromUTC (0008,0201)), otherwise as written; the
///   archive does not guess a local time zone.
/// - Combined date and time ranges (§C.2.2.2.5.1): the stored date and time form one instant, compared with
///   the combined bounds; an entity with a date but no time is matched on its date alone.
/// - Integers (IS, SS, US, SL, UL, SV, UV) and decimals (DS, FL, FD): by numeric value, so `+7` and `007`
///   equal `7` (implementation-defined per CP-2305); FL values are compared in single precision.
/// - AT: by tag.
/// - Sequence Matching (§C.2.2.2.6): keys sharing a sequence must all be matched by one and the same item,
///   recursively for nested sequences; an item inherits the character set and time zone offset of its parent.
///
/// The path UIDs of the ``QIDOScope`` are not checked here: the archive selects candidates within the scope.
public struct QIDOEvaluator: Sendable {
    /// Whether `fuzzymatching=true` applies to person names.
    public let fuzzyMatching: Bool
    /// Whether an absent or empty attribute matches a non-universal key.
    public let emptyValueMatching: Bool
    /// Whether a multi-valued attribute matches when any value does (`true`) or must be single-valued.
    public let multipleValueMatching: Bool
    private let root: QIDOEvaluationNode

    /// The evaluator of `query`'s keys, combined ranges and matching options.
    public init(_ query: QIDOQuery) {
        self.init(
            keys: query.keys, combinedDateTimeRanges: query.combinedDateTimeRanges, fuzzyMatching: query.fuzzyMatching,
            emptyValueMatching: query.emptyValueMatching, multipleValueMatching: query.multipleValueMatching)
    }

    /// An evaluator of explicit keys. `nil` options take the defaults: no empty value matching, multiple
    /// value matching on.
    public init(
        keys: [QIDOMatchKey], combinedDateTimeRanges: [QIDOCombinedDateTimeRange] = [], fuzzyMatching: Bool = false,
        emptyValueMatching: Bool? = nil, multipleValueMatching: Bool? = nil
    ) {
        self.fuzzyMatching = fuzzyMatching
        self.emptyValueMatching = emptyValueMatching ?? false
        self.multipleValueMatching = multipleValueMatching ?? true
        self.root = QIDOEvaluationNode(keys: keys, ranges: combinedDateTimeRanges)
    }

    /// Whether the entity whose attributes are `dataSet` matches every key of the search.
    public func matches(_ dataSet: DataSet) -> Bool {
        matches(root, in: dataSet, context: QIDOReadingContext.root.entering(dataSet))
    }

    private func matches(_ node: QIDOEvaluationNode, in dataSet: DataSet, context: QIDOReadingContext) -> Bool {
        for key in node.keys where !matches(key, in: dataSet, context: context) { return false }
        for range in node.ranges where !matches(range, in: dataSet, context: context) { return false }
        for (tag, child) in node.sequences {
            let items = dataSet[tag]?.value.items ?? []
            if items.isEmpty {
                guard emptyValueMatching else { return false }
                continue
            }
            guard items.contains(where: { matches(child, in: $0, context: context.entering($0)) }) else { return false }
        }
        return true
    }

    /// One key on an attribute of `dataSet`.
    private func matches(_ key: QIDOEvaluationNode.Key, in dataSet: DataSet, context: QIDOReadingContext) -> Bool {
        guard let element = dataSet[key.tag] else { return emptyValueMatching }
        let vr = QIDOStoredValues.vr(of: element, fallback: key.vr)
        let strings = { QIDOStoredValues.strings(element, vr: vr, characterSet: context.characterSet) }
        switch key.test {
        case .text(let query):
            return decide(strings()) { $0 == query }
        case .texts(let texts):
            return decide(strings()) { texts.contains($0) }
        case .uids(let uids):
            return decide(strings()) { uids.contains($0) }
        case .personName(let matcher):
            return decide(strings()) { matcher.matches($0, fuzzy: fuzzyMatching) }
        case .wildcard(let matcher):
            return decide(strings(), matcher.matches)
        case .personNameWildcard(let matcher, let accentFolded, let spansGroups):
            return decide(strings()) {
                QIDOPersonNameMatcher.matches(
                    $0, wildcard: fuzzyMatching ? accentFolded : matcher, spansGroups: spansGroups,
                    accents: fuzzyMatching)
            }
        case .date(let lower, let upper):
            return decide(strings()) { text in
                QIDOTemporal.storedDate(text).map {
                    QIDOTemporal.contains(lower: lower, upper: upper, .init(microseconds: $0, utcOffsetMinutes: nil))
                } ?? false
            }
        case .time(let lower, let upper):
            return decide(strings()) { text in
                QIDOTemporal.storedTime(text).map {
                    QIDOTemporal.contains(lower: lower, upper: upper, .init(microseconds: $0, utcOffsetMinutes: nil))
                } ?? false
            }
        case .dateTime(let lower, let upper):
            return decide(strings()) { text in
                QIDOTemporal.storedDateTime(text, defaultOffset: context.utcOffsetMinutes).map {
                    QIDOTemporal.contains(lower: lower, upper: upper, $0)
                } ?? false
            }
        case .integer(let query):
            if let integers = QIDOStoredValues.integers(element, vr: vr) { return decide(integers) { $0 == query } }
            return decide(QIDOStoredValues.decimals(element, vr: vr)) { $0 == Double(query) }
        case .decimal(let query):
            let target = vr == .FL ? Double(Float(query)) : query
            return decide(QIDOStoredValues.decimals(element, vr: vr)) { $0 == target }
        case .attributeTag(let tag):
            return decide(QIDOStoredValues.tags(element)) { $0 == tag }
        }
    }

    /// A combined date and time range (PS3.4 §C.2.2.2.5.1) on the DA and TM attributes of `dataSet`.
    private func matches(
        _ range: QIDOEvaluationNode.CombinedRange, in dataSet: DataSet, context: QIDOReadingContext
    ) -> Bool {
        guard let dateElement = dataSet[range.dateTag] else { return emptyValueMatching }
        let dates = QIDOStoredValues.strings(dateElement, vr: .DA, characterSet: .default)
        var time: Int64?
        if let timeElement = dataSet[range.timeTag],
            let text = QIDOStoredValues.strings(timeElement, vr: .TM, characterSet: .default)?.first
        {
            time = QIDOTemporal.storedTime(text)
        }
        return decide(dates) { text in
            guard let day = QIDOTemporal.storedDate(text) else { return false }
            let bounds = time == nil ? range.dateBounds : range.dateTimeBounds
            let instant = QIDOTemporal.Instant(microseconds: day + (time ?? 0), utcOffsetMinutes: nil)
            return QIDOTemporal.contains(lower: bounds.lower, upper: bounds.upper, instant)
        }
    }

    /// Empty and multiple value rules around `predicate`: unreadable never matches, empty matches only with
    /// empty value matching, several values need multiple value matching and then any one suffices.
    private func decide<Value>(_ values: [Value]?, _ predicate: (Value) -> Bool) -> Bool {
        guard let values else { return false }
        if values.isEmpty { return emptyValueMatching }
        if values.count > 1, !multipleValueMatching { return false }
        return values.contains(where: predicate)
    }
}

extension QIDOQuery {
    /// The evaluator of this search (see ``QIDOEvaluator``); build it once to test many entities.
    public var evaluator: QIDOEvaluator { QIDOEvaluator(self) }

    /// Whether the entity whose attributes are `dataSet` matches this search (PS3.4 §C.2.2.2); for many
    /// entities, reuse one ``evaluator``.
    public func matches(_ dataSet: DataSet) -> Bool { QIDOEvaluator(self).matches(dataSet) }
}
