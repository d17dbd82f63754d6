/// Whether a short name from outside (a node id, an API key name, a client's request id) is safe to keep and to
/// put in log lines: 1 to `maxLength` ASCII letters and digits and the given punctuation, nothing else.
public enum SafeToken {
    /// Whether `text` is 1 to `maxLength` characters, each an ASCII letter or digit or one of `punctuation`.
    public static func matches(_ text: some StringProtocol, maxLength: Int, punctuation: String) -> Bool {
        (1...maxLength).contains(text.utf8.count)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || punctuation.contains($0)) }
    }
}
