/// Checks of UID values (PS3.5 §9.1, "UID Encoding Rules"; the UI value representation, PS3.5 §6.2).
///
/// A UID is a series of numeric components separated by `.`: at most 64 characters, only the digits `0`–`9`
/// and `.`, no empty component (so it neither starts nor ends with `.`, nor holds `..`), and no component
/// with a leading zero (`0` alone is a component; `02` is not). Such a value can be written into a URL path, a
/// file name or a query without escaping, which is why an archive refuses to store anything else.
public enum UIDValidation {
    /// The longest UID value, in characters (PS3.5 §9.1).
    public static let maximumLength = 64

    /// Why `value` is not a valid UID, or `nil` when it is one (PS3.5 §9.1). `value` is the UID as text, without
    /// the padding its encoding may add (see ``trimmingPadding(_:)``).
    public static func problem(_ value: some StringProtocol) -> String? {
        let utf8 = value.utf8
        if utf8.isEmpty { return "it is empty" }
        if utf8.count > maximumLength {
            return "it is \(utf8.count) characters long, more than \(maximumLength)"
        }
        var componentStart = true
        var leadingZero = false
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "."):
                if componentStart { return "it has an empty component" }
                componentStart = true
                leadingZero = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if leadingZero { return "a component starts with a leading zero" }
                leadingZero = componentStart && byte == UInt8(ascii: "0")
                componentStart = false
            default:
                return "it holds characters other than digits and '.'"
            }
        }
        if componentStart { return "it has an empty component" }
        return nil
    }

    /// Whether `value` is a valid UID (PS3.5 §9.1).
    public static func isValid(_ value: some StringProtocol) -> Bool { problem(value) == nil }

    /// `value` without the trailing NUL or space characters that pad a UI value to an even length (PS3.5 §6.2:
    /// UI values are padded with a NUL; some writers pad with a space).
    public static func trimmingPadding(_ value: some StringProtocol) -> Substring {
        var s = Substring(value)
        while let last = s.last, last == "\0" || last == " " { s.removeLast() }
        return s
    }
}
