/// The `includefield` query parameter (PS3.18 §8.3.4.3): attributes to return beyond the defaults of
/// ``QIDOReturnAttributes``. It may be repeated, and each occurrence holds a comma-separated list of
/// attributes (keywords, tags or dotted sequence paths); the occurrences add up. `all` asks for every
/// available attribute.
public enum QIDOIncludeFields: Sendable, Hashable {
    /// Every attribute the archive has for the matching entities.
    case all
    /// These attributes, in the order first asked for, without repetitions (empty when not given).
    case attributes([QIDOAttributePath])

    /// Adds one occurrence of `includefield=value`.
    mutating func add(_ value: String) throws(QIDOQueryError) {
        guard !value.isEmpty else {
            throw QIDOQueryError(
                .invalidValue, parameter: "includefield",
                "includefield needs 'all' or a comma-separated list of attributes (PS3.18 §8.3.4.3).")
        }
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            if item == "all" {
                self = .all
                continue
            }
            let path = try QIDOAttributePath.parse(item, parameter: "includefield")
            if case .attributes(let paths) = self, !paths.contains(path) { self = .attributes(paths + [path]) }
        }
    }
}
