/// A DA value of a query: `YYYYMMDD` (PS3.5 Table 6.2-1), a real calendar date.
public struct QIDODate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, 0000–9999.
    public let year: Int
    /// The month, 1–12.
    public let month: Int
    /// The day of the month, valid for the month and year.
    public let day: Int

    /// Parses exactly `YYYYMMDD`; the legacy `YYYY.MM.DD` form and impossible dates (20230230) are rejected.
    public init?(_ text: Substring) {
        let digits = Array(text.utf8)
        guard digits.count == 8, let year = QIDODigits.number(digits[0..<4]),
            let month = QIDODigits.number(digits[4..<6]),
            let day = QIDODigits.number(digits[6..<8]), (1...12).contains(month),
            (1...QIDODate.days(inMonth: month, year: year)).contains(day)
        else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Calendar order.
    public static func < (lhs: QIDODate, rhs: QIDODate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYYMMDD`.
    public var description: String { QIDODigits.pad(year, 4) + QIDODigits.pad(month, 2) + QIDODigits.pad(day, 2) }
}

/// A TM value of a query: `HH[MM[SS[.F{1-6}]]]` (PS3.5 Table 6.2-1); missing components are `nil`.
public struct QIDOTime: Sendable, Hashable, CustomStringConvertible {
    /// The hour, 0–23.
    public let hour: Int
    /// The minute, 0–59, when given.
    public let minute: Int?
    /// The second, 0–60 (60 only for a leap second), when given.
    public let second: Int?
    /// The fraction of a second as written, 1 to 6 digits (e.g. `"5"` for half a second), only with seconds.
    public let fraction: String?

    /// Parses `HH[MM[SS[.F{1-6}]]]` with hours 00–23, minutes 00–59, seconds 00–60 (a leap second); the
    /// legacy `HH:MM:SS` form is rejected.
    public init?(_ text: Substring) {
        let bytes = Array(text.utf8)
        let dot = bytes.firstIndex(of: UInt8(ascii: "."))
        let main = bytes[..<(dot ?? bytes.endIndex)]
        guard [2, 4, 6].contains(main.count), let hour = QIDODigits.number(main.prefix(2)), hour <= 23 else {
            return nil
        }
        var minute: Int?
        var second: Int?
        if main.count >= 4 {
            guard let value = QIDODigits.number(main.dropFirst(2).prefix(2)), value <= 59 else { return nil }
            minute = value
        }
        if main.count == 6 {
            guard let value = QIDODigits.number(main.dropFirst(4)), value <= 60 else { return nil }
            second = value
        }
        var fraction: String?
        if let dot {
            let digits = bytes[(dot + 1)...]
            guard second != nil, (1...6).contains(digits.count), QIDODigits.number(digits) != nil else { return nil }
            fraction = String(decoding: digits, as: UTF8.self)
        }
        (self.hour, self.minute, self.second, self.fraction) = (hour, minute, second, fraction)
    }

    /// As it would be written in a query.
    public var description: String {
        var text = QIDODigits.pad(hour, 2)
        if let minute { text += QIDODigits.pad(minute, 2) }
        if let second { text += QIDODigits.pad(second, 2) }
        if let fraction { text += "." + fraction }
        return text
    }
}

/// A DT value of a query: `YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&ZZXX]` (PS3.5 Table 6.2-1), where `&ZZXX` is an
/// offset from UTC, `+` or `-` then hours and minutes, between -1200 and +1400.
public struct QIDODateTime: Sendable, Hashable, CustomStringConvertible {
    /// The year, 0000–9999.
    public let year: Int
    /// The month, when given.
    public let month: Int?
    /// The day of the month, when given (only with a month).
    public let day: Int?
    /// The time of day, when the value goes beyond the date.
    public let time: QIDOTime?
    /// The offset from UTC in minutes (e.g. -300 for `-0500`), when given.
    public let utcOffsetMinutes: Int?

    /// Parses the DT form strictly: each component only after the previous one, valid ranges, and an offset
    /// of exactly `+HHMM` / `-HHMM` within -1200...+1400.
    public init?(_ text: Substring) {
        let bytes = Array(text.utf8)
        let signIndex = bytes.firstIndex { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
        var offset: Int?
        if let signIndex {
            let digits = bytes[(signIndex + 1)...]
            guard digits.count == 4, let hours = QIDODigits.number(digits.prefix(2)),
                let minutes = QIDODigits.number(digits.suffix(2)), minutes <= 59
            else { return nil }
            let magnitude = hours * 60 + minutes
            let negative = bytes[signIndex] == UInt8(ascii: "-")
            guard negative ? magnitude <= 12 * 60 : magnitude <= 14 * 60 else { return nil }
            offset = negative ? -magnitude : magnitude
        }
        let main = bytes[..<(signIndex ?? bytes.endIndex)]
        let datePart = main.prefix { $0 != UInt8(ascii: ".") }.prefix(8)
        guard [4, 6, 8].contains(datePart.count), let year = QIDODigits.number(datePart.prefix(4)) else { return nil }
        var month: Int?
        var day: Int?
        if datePart.count >= 6 {
            guard let value = QIDODigits.number(datePart.dropFirst(4).prefix(2)), (1...12).contains(value) else {
                return nil
            }
            month = value
        }
        if datePart.count == 8, let month {
            guard let value = QIDODigits.number(datePart.dropFirst(6)),
                (1...QIDODate.days(inMonth: month, year: year)).contains(value)
            else { return nil }
            day = value
        }
        let rest = main.dropFirst(datePart.count)
        var time: QIDOTime?
        if !rest.isEmpty {
            guard day != nil, let parsed = QIDOTime(Substring(decoding: rest, as: UTF8.self)) else { return nil }
            time = parsed
        }
        (self.year, self.month, self.day, self.time, self.utcOffsetMinutes) = (year, month, day, time, offset)
    }

    /// As it would be written in a query.
    public var description: String {
        var text = QIDODigits.pad(year, 4)
        if let month { text += QIDODigits.pad(month, 2) }
        if let day { text += QIDODigits.pad(day, 2) }
        if let time { text += time.description }
        if let utcOffsetMinutes {
            text +=
                (utcOffsetMinutes < 0 ? "-" : "+") + QIDODigits.pad(abs(utcOffsetMinutes) / 60, 2)
                + QIDODigits.pad(abs(utcOffsetMinutes) % 60, 2)
        }
        return text
    }
}

/// Small helpers for fixed-width decimal fields.
enum QIDODigits {
    /// The value of a run of ASCII digits, `nil` if empty, longer than 18 digits or containing anything else.
    static func number(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
