/// A date range and a time range that match together as one date-time range (PS3.4 §C.2.2.2.5 Range
/// Matching, combined date and time: `StudyDate=20240105-20240107&StudyTime=1000-1800` means from
/// 2024-01-05 10:00 through 2024-01-07 18:00, not "10:00 to 18:00 on each of three days").
///
/// The parser forms one when a DA key and the TM key of the same name (`…Date` / `…Time`, e.g. StudyDate and
/// StudyTime, SeriesDate and SeriesTime) in the same sequence both use Range Matching; the two keys are then
/// not listed separately in ``QIDOQuery/keys``. A date range with a single-value time, or the reverse, is
/// kept as two independent keys.
public struct QIDOCombinedDateTimeRange: Sendable, Hashable {
    /// One end of the combined range: a date, and a time on that date unless the time range was open there.
    public struct Endpoint: Sendable, Hashable {
        public let date: QIDODate
        /// `nil`: the start of the day for a lower bound, the end of the day for an upper bound.
        public let time: QIDOTime?

        /// The end `time` on `date` (`nil`: start or end of the day).
        public init(date: QIDODate, time: QIDOTime?) {
            self.date = date
            self.time = time
        }
    }

    /// The DA attribute, e.g. StudyDate.
    public let datePath: QIDOAttributePath
    /// The TM attribute, e.g. StudyTime.
    public let timePath: QIDOAttributePath
    /// The date range as sent.
    public let dates: QIDORange<QIDODate>
    /// The time range as sent.
    public let times: QIDORange<QIDOTime>

    /// The inclusive start, `nil` when the date range is open below (then the lower time bound has no date
    /// to attach to and is ignored).
    public var lower: Endpoint? { dates.lower.map { Endpoint(date: $0, time: times.lower) } }
    /// The inclusive end, `nil` when the date range is open above.
    public var upper: Endpoint? { dates.upper.map { Endpoint(date: $0, time: times.upper) } }

    /// Pairs up the date and time range keys of `keys`, returning the keys left and the pairs formed.
    static func combine(_ keys: [QIDOMatchKey]) -> (keys: [QIDOMatchKey], ranges: [QIDOCombinedDateTimeRange]) {
        var remaining = keys
        var ranges: [QIDOCombinedDateTimeRange] = []
        for key in keys {
            guard case .dateRange(let dates) = key.matching, let timePath = timePath(for: key.path),
                let timeKey = remaining.first(where: { $0.path == timePath }),
                case .timeRange(let times) = timeKey.matching
            else { continue }
            ranges.append(QIDOCombinedDateTimeRange(datePath: key.path, timePath: timePath, dates: dates, times: times))
            remaining.removeAll { $0.path == key.path || $0.path == timePath }
        }
        return (remaining, ranges)
    }

    /// The TM attribute next to a DA attribute named `…Date`, in the same sequence.
    private static func timePath(for datePath: QIDOAttributePath) -> QIDOAttributePath? {
        guard let keyword = DataDictionary.keyword(for: datePath.tag), keyword.hasSuffix("Date"),
            let timeTag = DataDictionary.tag(forKeyword: keyword.dropLast(4) + "Time"),
            DataDictionary.vr(for: timeTag) == .TM
        else { return nil }
        return QIDOAttributePath(known: (datePath.parent ?? []) + [timeTag])
    }
}
