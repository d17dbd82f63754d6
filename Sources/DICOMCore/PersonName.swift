/// A Person Name value split into its component groups: alphabetic, ideographic and phonetic, separated by
/// `=` in the encoded value (PS3.5 §6.2.1.2).
public struct PersonName: Hashable, Sendable {
    /// The alphabetic group (components separated by `^`).
    public var alphabetic: String?
    /// The ideographic group.
    public var ideographic: String?
    /// The phonetic group.
    public var phonetic: String?

    /// Creates a name from its groups.
    public init(alphabetic: String? = nil, ideographic: String? = nil, phonetic: String? = nil) {
        self.alphabetic = alphabetic
        self.ideographic = ideographic
        self.phonetic = phonetic
    }

    /// Splits one decoded PN value (`alphabetic=ideographic=phonetic`); empty groups become `nil`.
    public init(dicom value: String) {
        let groups = value.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false).map {
            String($0).trimmingTrailingSpaces()
        }
        func group(_ i: Int) -> String? { i < groups.count && !groups[i].isEmpty ? groups[i] : nil }
        self.init(alphabetic: group(0), ideographic: group(1), phonetic: group(2))
    }

    /// The encoded form, with trailing empty groups left out.
    public var dicomValue: String {
        var groups = [alphabetic ?? "", ideographic ?? "", phonetic ?? ""]
        while let last = groups.last, last.isEmpty { groups.removeLast() }
        return groups.joined(separator: "=")
    }

    /// The five components of a group: family, given, middle, prefix, suffix (PS3.5 §6.2).
    public static func components(of group: String) -> [String] {
        group.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
    }
}

extension String {
    /// The string without trailing spaces (the padding of DICOM text values).
    public func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
