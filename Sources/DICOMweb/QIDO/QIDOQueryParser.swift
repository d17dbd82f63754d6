/// Accumulates query items one by one, checking each against PS3.18 §8.3.4; see ``QIDOQuery`` for the rules.
struct QIDOQueryParser {
    var keys: [QIDOMatchKey] = []
    var includeFields = QIDOIncludeFields.attributes([])
    var fuzzyMatching: Bool?
    var emptyValueMatching: Bool?
    var multipleValueMatching: Bool?
    var limit: Int?
    var offset: Int?
    var accept: [String] = []
    var charset: [String] = []
    private var unknownNames: [String] = []

    mutating func add(name: String, value: String) throws(QIDOQueryError) {
        switch name {
        case "includefield": try includeFields.add(value)
        case "fuzzymatching": try Self.setOnce(&fuzzyMatching, Self.boolean(value, name), name)
        case "emptyvaluematching": try Self.setOnce(&emptyValueMatching, Self.boolean(value, name), name)
        case "multiplevaluematching": try Self.setOnce(&multipleValueMatching, Self.boolean(value, name), name)
        case "limit": try Self.setOnce(&limit, Self.count(value, name), name)
        case "offset": try Self.setOnce(&offset, Self.count(value, name), name)
        case "accept": accept.append(value)
        case "charset": charset.append(value)
        default: try addKey(name: name, value: value)
        }
    }

    func finish(scope: QIDOScope) throws(QIDOQueryError) -> QIDOQuery {
        try checkNames()
        return QIDOQuery(parser: self, scope: scope)
    }

    func checkNames() throws(QIDOQueryError) {
        if !unknownNames.isEmpty {
            let names = unknownNames.joined(separator: ", ")
            throw QIDOQueryError(
                .unknownParameter, parameter: names,
                "Unknown query parameter(s) \(names): neither a parameter of PS3.18 Table 8.3.4-1 nor a "
                    + "public attribute keyword or tag (PS3.6 Table 6-1).")
        }
    }

    private mutating func addKey(name: String, value: String) throws(QIDOQueryError) {
        let path: QIDOAttributePath
        do throws(QIDOQueryError) {
            path = try QIDOAttributePath.parse(Substring(name), parameter: name)
        } catch let error where error.code == .unknownAttribute && !Self.looksLikeAttribute(name) {
            // A bare unknown word is more likely a misspelt or unsupported parameter than an attribute.
            if !unknownNames.contains(name) { unknownNames.append(name) }
            return
        }
        let matching = try QIDOValueSyntax.matching(for: value, path: path, parameter: name)
        if let index = keys.firstIndex(where: { $0.path == path }) {
            // A UI key repeated (`StudyInstanceUID=a&StudyInstanceUID=b`, as some clients send a list) is
            // read as one List of UID Matching key (PS3.4 §C.2.2.2.2), a text key other than PN as one value
            // list (`Modality=CT&Modality=MR`, as dicomweb-client sends a list); any other repetition is
            // ambiguous.
            func uids(_ m: QIDOMatching) -> [String]? {
                switch m {
                case .uid(let u): [u]
                case .uidList(let list): list
                default: nil
                }
            }
            func texts(_ m: QIDOMatching) -> [String]? {
                switch m {
                case .text(let t): [t]
                case .textList(let list): list
                default: nil
                }
            }
            if let earlier = texts(keys[index].matching), let more = texts(matching) {
                keys[index] = QIDOMatchKey(path: path, matching: .textList(earlier + more))
                return
            }
            guard let earlier = uids(keys[index].matching), let more = uids(matching) else {
                throw QIDOQueryError(
                    .duplicateParameter, parameter: name,
                    "The attribute \(path) is given more than once; list several values with ',' or '\\' instead.")
            }
            keys[index] = QIDOMatchKey(path: path, matching: .uidList(earlier + more))
            return
        }
        keys.append(QIDOMatchKey(path: path, matching: matching))
    }

    /// A dotted path or eight hexadecimal digits: clearly meant as an attribute, so an unknown one is
    /// reported as ``QIDOQueryError/Code/unknownAttribute``.
    private static func looksLikeAttribute(_ name: String) -> Bool {
        name.contains(".") || (name.utf8.count == 8 && name.utf8.allSatisfy(\.isHexDigit))
    }

    private static func setOnce<Value>(_ slot: inout Value?, _ value: Value, _ name: String) throws(QIDOQueryError) {
        guard slot == nil else {
            throw QIDOQueryError(
                .duplicateParameter, parameter: name, "\(name) may appear at most once (PS3.18 Table 8.3.4-1).")
        }
        slot = value
    }

    private static func boolean(_ value: String, _ name: String) throws(QIDOQueryError) -> Bool {
        switch value {
        case "true": return true
        case "false": return false
        default:
            throw QIDOQueryError(.invalidBoolean, parameter: name, "\(name) must be 'true' or 'false'.")
        }
    }

    /// `uint` of PS3.18 §8.3.4.4: decimal digits only (no sign). A value past `Int.max` reads as `Int.max`: an
    /// offset that large is past every match (an empty page), a limit that large is the server's maximum.
    private static func count(_ value: String, _ name: String) throws(QIDOQueryError) -> Int {
        guard let number: Int = DecimalNumber.saturating(value) else {
            throw QIDOQueryError(.invalidInteger, parameter: name, "\(name) must be a non-negative integer.")
        }
        return number
    }
}
