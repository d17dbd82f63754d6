/// Unsigned decimal numbers from requests (query parameters, path segments, header values), read without
/// ever trapping: every integer a client sends goes through here, so that `offset=9223372036854775808` or
/// `frames/99999999999999999999` is an answer (a clamped value or a 400), never an arithmetic overflow.
public enum DecimalNumber {
    /// The value of `text` when it is one or more ASCII digits and nothing else (no sign, no spaces),
    /// saturated at `ceiling`: a value past it, however long, reads as `ceiling`. `nil` when `text` is not
    /// digits.
    public static func saturating<Value: FixedWidthInteger>(
        _ text: some StringProtocol, ceiling: Value = .max
    ) -> Value? {
        var value: Value = 0
        var any = false
        for byte in text.utf8 {
            guard (0x30...0x39).contains(byte) else { return nil }
            any = true
            guard value < ceiling else { continue }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Value(byte - 0x30))
            value = o1 || o2 || next > ceiling ? ceiling : next
        }
        return any ? value : nil
    }

    /// The value of `text` when it is digits (as ``saturating(_:ceiling:)``) within `range`; `nil` otherwise,
    /// also for a value too large for `Value`.
    public static func bounded<Value: FixedWidthInteger>(
        _ text: some StringProtocol, _ range: ClosedRange<Value>
    ) -> Value? {
        guard let value: Value = saturating(text), range.contains(value) else { return nil }
        return value < .max || exact(text, value) ? value : nil
    }

    /// Whether `value` is exactly what `text` says (not a saturated stand-in for a larger number).
    private static func exact<Value: FixedWidthInteger>(_ text: some StringProtocol, _ value: Value) -> Bool {
        let digits = text.utf8.drop(while: { $0 == 0x30 })
        return digits.elementsEqual(String(value).utf8)
    }
}
