/// The keys of a search arranged for evaluation: the keys on attributes of one data set, the combined ranges
/// on it, and, per sequence, the node its items must satisfy (PS3.4 §C.2.2.2.6: keys under one sequence are
/// matched by one item). Values are prepared once (folded, parsed into intervals) for all candidates.
struct QIDOEvaluationNode: Sendable {
    /// A prepared test of one key.
    enum Test: Sendable {
        case text(String)
        case texts(Set<String>)
        case uids(Set<String>)
        case personName(QIDOPersonNameMatcher)
        case wildcard(QIDOWildcardMatcher)
        /// Case folded; accents folded too in `accentFolded`, for fuzzy matching.
        case personNameWildcard(QIDOWildcardMatcher, accentFolded: QIDOWildcardMatcher, spansGroups: Bool)
        case date(lower: QIDOTemporal.Instant?, upper: QIDOTemporal.Instant?)
        case time(lower: QIDOTemporal.Instant?, upper: QIDOTemporal.Instant?)
        case dateTime(lower: QIDOTemporal.Instant?, upper: QIDOTemporal.Instant?)
        case integer(Int64)
        case decimal(Double)
        case attributeTag(Tag)
    }

    /// A key on an attribute of this node's data set.
    struct Key: Sendable {
        var tag: Tag
        var vr: VR
        var test: Test
    }

    /// A combined date-time range on a DA and a TM attribute of this node's data set, as bounds for a stored
    /// instant with a time (`dateTimeBounds`) and without one (`dateBounds`, whole days).
    struct CombinedRange: Sendable {
        var dateTag: Tag
        var timeTag: Tag
        var dateTimeBounds: (lower: QIDOTemporal.Instant?, upper: QIDOTemporal.Instant?)
        var dateBounds: (lower: QIDOTemporal.Instant?, upper: QIDOTemporal.Instant?)
    }

    var keys: [Key] = []
    var ranges: [CombinedRange] = []
    /// In the order of the first key under each sequence.
    var sequences: [(Tag, QIDOEvaluationNode)] = []

    init() {}

    /// The tree of `keys` and `ranges`. Universal keys are left out: they match every entity, including one
    /// without the attribute or its sequence (§C.2.2.2.3).
    init(keys: [QIDOMatchKey], ranges: [QIDOCombinedDateTimeRange]) {
        for key in keys {
            guard let test = Self.test(key.matching, vr: key.path.vr) else { continue }
            insert(at: key.path.tags.dropLast()[...]) {
                $0.keys.append(Key(tag: key.path.tag, vr: key.path.vr, test: test))
            }
        }
        for range in ranges {
            insert(at: range.datePath.tags.dropLast()[...]) { $0.ranges.append(Self.combined(range)) }
        }
    }

    private mutating func insert(at sequencePath: ArraySlice<Tag>, _ add: (inout QIDOEvaluationNode) -> Void) {
        guard let first = sequencePath.first else { return add(&self) }
        if let index = sequences.firstIndex(where: { $0.0 == first }) {
            sequences[index].1.insert(at: sequencePath.dropFirst(), add)
        } else {
            var child = QIDOEvaluationNode()
            child.insert(at: sequencePath.dropFirst(), add)
            sequences.append((first, child))
        }
    }

    private static func test(_ matching: QIDOMatching, vr: VR) -> Test? {
        switch matching {
        case .universal: return nil
        case .text(let text): return .text(QIDOStoredValues.trim(Substring(text), vr: vr))
        case .textList(let texts): return .texts(Set(texts.map { QIDOStoredValues.trim(Substring($0), vr: vr) }))
        case .personName(let name): return .personName(QIDOPersonNameMatcher(query: name))
        case .uid(let uid): return .uids([uid])
        case .uidList(let uids): return .uids(Set(uids))
        case .wildcard(let pattern):
            guard vr == .PN else { return .wildcard(QIDOWildcardMatcher(pattern)) }
            let prepared = QIDOPersonNameMatcher.wildcardMatcher(pattern)
            let folded = QIDOPersonNameMatcher.wildcardMatcher(pattern, accents: true)
            return .personNameWildcard(
                prepared.matcher, accentFolded: folded.matcher, spansGroups: prepared.spansGroups)
        case .date(let date):
            let interval = QIDOTemporal.interval(date)
            return .date(lower: interval.start, upper: interval.end)
        case .dateRange(let range):
            return .date(
                lower: range.lower.map { QIDOTemporal.interval($0).start },
                upper: range.upper.map { QIDOTemporal.interval($0).end })
        case .time(let time):
            let interval = QIDOTemporal.interval(time)
            return .time(lower: interval.start, upper: interval.end)
        case .timeRange(let range):
            return .time(
                lower: range.lower.map { QIDOTemporal.interval($0).start },
                upper: range.upper.map { QIDOTemporal.interval($0).end })
        case .dateTime(let dateTime):
            let interval = QIDOTemporal.interval(dateTime)
            return .dateTime(lower: interval.start, upper: interval.end)
        case .dateTimeRange(let range):
            return .dateTime(
                lower: range.lower.map { QIDOTemporal.interval($0).start },
                upper: range.upper.map { QIDOTemporal.interval($0).end })
        case .integer(let value): return .integer(value)
        case .decimal(let value): return .decimal(value)
        case .attributeTag(let tag): return .attributeTag(tag)
        }
    }

    /// The bounds of a combined range: the lower end at its time (start of the day without one), the upper
    /// end at the end of its time's precision (end of the day without one).
    private static func combined(_ range: QIDOCombinedDateTimeRange) -> CombinedRange {
        func instant(_ microseconds: Int64) -> QIDOTemporal.Instant {
            QIDOTemporal.Instant(microseconds: microseconds, utcOffsetMinutes: nil)
        }
        let lowerDay = range.lower.map { QIDOTemporal.interval($0.date) }
        let upperDay = range.upper.map { QIDOTemporal.interval($0.date) }
        let lower = range.lower.flatMap { endpoint in
            lowerDay.map { instant($0.start.microseconds + (endpoint.time.map(QIDOTemporal.timeOfDay) ?? 0)) }
        }
        let upper = range.upper.flatMap { endpoint in
            upperDay.map { day in
                guard let time = endpoint.time else { return day.end }
                return instant(day.start.microseconds + QIDOTemporal.interval(time).end.microseconds)
            }
        }
        return CombinedRange(
            dateTag: range.datePath.tag, timeTag: range.timePath.tag, dateTimeBounds: (lower, upper),
            dateBounds: (lowerDay?.start, upperDay?.end))
    }
}
