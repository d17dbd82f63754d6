extension StringProtocol {
    /// The text without leading and trailing spaces (U+0020 only): for values of query parameters, command-line
    /// assignments and display text, where DICOM's own padding rules do not apply.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
