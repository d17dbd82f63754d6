/// Date and time arithmetic for matching DA, TM and DT values (PS3.4 §C.2.2.2.1 and §C.2.2.2.5).
///
/// Every value becomes microseconds on one proleptic Gregorian time line (from a fixed origin). A query value
/// stands for the interval its precision covers: `10` (TM) for 10:00:00 to 10:59:59.999999, `2024` (DT) for
/// the whole year, a date for its whole day; a range runs from the start of its lower bound's interval to the
/// end of its upper bound's interval. A stored value is the instant at the start of what it writes (missing
/// components are zero): stored `10` is 10:00:00.
enum QIDOTemporal {
    static let microsecondsPerDay: Int64 = 86_400_000_000

    /// An instant or interval end on the time line, with the UTC offset in minutes it was written in, if known.
    struct Instant: Sendable, Hashable {
        var microseconds: Int64
        var utcOffsetMinutes: Int?
    }

    /// The closed interval a query value covers.
    struct Interval: Sendable, Hashable {
        var start: Instant
        var end: Instant
    }

    // MARK: Query values

    static func interval(_ date: QIDODate) -> Interval {
        let start = dayStart(year: date.year, month: date.month, day: date.day)
        return Interval(
            start: Instant(microseconds: start, utcOffsetMinutes: nil),
            end: Instant(microseconds: start + microsecondsPerDay - 1, utcOffsetMinutes: nil))
    }

    /// The interval of a time of day, relative to midnight.
    static func interval(_ time: QIDOTime) -> Interval {
        let start = timeOfDay(time)
        return Interval(
            start: Instant(microseconds: start, utcOffsetMinutes: nil),
            end: Instant(microseconds: start + span(of: time) - 1, utcOffsetMinutes: nil))
    }

    static func interval(_ dateTime: QIDODateTime) -> Interval {
        let offset = dateTime.utcOffsetMinutes
        let start = dayStart(year: dateTime.year, month: dateTime.month ?? 1, day: dateTime.day ?? 1)
        let end: Int64
        if let time = dateTime.time {
            let startOfTime = start + timeOfDay(time)
            return Interval(
                start: Instant(microseconds: startOfTime, utcOffsetMinutes: offset),
                end: Instant(microseconds: startOfTime + span(of: time) - 1, utcOffsetMinutes: offset))
        } else if let month = dateTime.month, dateTime.day == nil {
            let next = month == 12 ? (dateTime.year + 1, 1) : (dateTime.year, month + 1)
            end = dayStart(year: next.0, month: next.1, day: 1) - 1
        } else if dateTime.month == nil {
            end = dayStart(year: dateTime.year + 1, month: 1, day: 1) - 1
        } else {
            end = start + microsecondsPerDay - 1
        }
        return Interval(
            start: Instant(microseconds: start, utcOffsetMinutes: offset),
            end: Instant(microseconds: end, utcOffsetMinutes: offset))
    }

    // MARK: Stored values

    /// A stored DA: `YYYYMMDD`, or the retired `YYYY.MM.DD` (PS3.5 Table 6.2-1 note).
    static func storedDate(_ text: String) -> Int64? {
        var value = Substring(text)
        if value.utf8.count == 10 { value = Substring(value.filter { $0 != "." }) }
        return QIDODate(value).map { interval($0).start.microseconds }
    }

    /// A stored TM, relative to midnight: `HH[MM[SS[.F{1-6}]]]`, or the retired `HH:MM:SS.frac`.
    static func storedTime(_ text: String) -> Int64? {
        var value = Substring(text)
        if value.contains(":") { value = Substring(value.filter { $0 != ":" }) }
        return QIDOTime(value).map(timeOfDay)
    }

    /// A stored DT; without an offset of its own it takes `defaultOffset` (the data set's TimezoneOffsetFromUTC).
    static func storedDateTime(_ text: String, defaultOffset: Int?) -> Instant? {
        guard let value = QIDODateTime(Substring(text)) else { return nil }
        var instant = interval(value).start
        if instant.utcOffsetMinutes == nil { instant.utcOffsetMinutes = defaultOffset }
        return instant
    }

    /// `&ZZXX` as minutes, within -1200...+1400 (the TimezoneOffsetFromUTC form).
    static func utcOffset(_ text: Substring) -> Int? {
        guard text.utf8.count == 5 else { return nil }
        return QIDODateTime("0001" + text)?.utcOffsetMinutes
    }

    // MARK: Comparison

    /// `lhs <= rhs`. When both sides know their UTC offset they are compared as UTC instants; otherwise as
    /// written, in local time (PS3.4 §C.2.2.2.5 does not say how to compare values with and without offsets).
    static func lessOrEqual(_ lhs: Instant, _ rhs: Instant) -> Bool {
        if let left = lhs.utcOffsetMinutes, let right = rhs.utcOffsetMinutes {
            return lhs.microseconds - Int64(left) * 60_000_000 <= rhs.microseconds - Int64(right) * 60_000_000
        }
        return lhs.microseconds <= rhs.microseconds
    }

    /// Whether `instant` lies within `lower...upper`, a `nil` bound being open.
    static func contains(lower: Instant?, upper: Instant?, _ instant: Instant) -> Bool {
        if let lower, !lessOrEqual(lower, instant) { return false }
        if let upper, !lessOrEqual(instant, upper) { return false }
        return true
    }

    // MARK: Arithmetic

    /// Microseconds from 0000-03-01 to the start of the day (days-from-civil on the proleptic Gregorian
    /// calendar).
    static func dayStart(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra
        return Int64(days) * microsecondsPerDay
    }

    /// Microseconds from midnight to the start of `time`.
    static func timeOfDay(_ time: QIDOTime) -> Int64 {
        var microseconds = Int64(time.hour) * 3_600_000_000
        microseconds += Int64(time.minute ?? 0) * 60_000_000
        microseconds += Int64(time.second ?? 0) * 1_000_000
        if let fraction = time.fraction {
            let padded = fraction + String(repeating: "0", count: 6 - fraction.count)
            microseconds += Int64(padded) ?? 0
        }
        return microseconds
    }

    /// The length in microseconds of the interval `time`'s precision covers.
    static func span(of time: QIDOTime) -> Int64 {
        if time.minute == nil { return 3_600_000_000 }
        if time.second == nil { return 60_000_000 }
        guard let fraction = time.fraction else { return 1_000_000 }
        var span: Int64 = 1
        for _ in fraction.count..<6 { span *= 10 }
        return span
    }
}
