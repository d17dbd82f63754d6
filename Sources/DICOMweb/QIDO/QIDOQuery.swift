/// A QIDO-RS search (PS3.18 §10.6) as typed data: where it searches, what must match, what to return and
/// which page of results, ready for the archive to turn into SQL with bind parameters.
///
/// Build one with ``parse(queryItems:scope:)``. Decisions on points the standard leaves open:
/// - A matching key may appear only once (by keyword, tag or both): a second occurrence is an error
///   (``QIDOQueryError/Code/duplicateParameter``). PS3.18 §8.3.4.1 gives no meaning to repeated keys; "any
///   of" is List of UID Matching (`,` or `\`), and "all of" cannot hold for single-valued attributes.
/// - `includefield` may be repeated and adds up (its usage in Table 8.3.4-1 is a list); `limit`, `offset`,
///   `fuzzymatching`, `emptyvaluematching` and `multiplevaluematching` may appear once.
/// - A name that is neither a parameter of Table 8.3.4-1, nor `accept` / `charset` (§8.3.3), nor a public
///   attribute of PS3.6 Table 6-1 is an error naming it (``QIDOQueryError/Code/unknownParameter``), answered
///   with `400 Bad Request` (§10.6.3); silently ignoring it would return more than the client asked
///   for. There is no `orderby` in PS3.18, so it is such a name too.
/// - A key on an attribute the path already fixes (e.g. `StudyInstanceUID` under `/studies/{study}/series`)
///   is kept: it is ANDed with the path, so a different UID simply matches nothing.
/// - Keys of another level than the one searched are kept too; which attributes the archive can match at
///   each level is for the archive to say (PS3.18 §10.6.1 lists the ones it must support).
/// - Range order is not checked (`20240201-20240101` is a valid, empty range).
/// - Private tags are not searchable here (they need their Private Creator; PS3.5 §7.8.1).
public struct QIDOQuery: Sendable, Hashable {
    /// The target resource: level and the UIDs fixed by the path.
    public let scope: QIDOScope
    /// The matching keys (PS3.18 §8.3.4.1, PS3.4 §C.2.2.2), in query order, except those folded into
    /// ``combinedDateTimeRanges``. All must match (they are ANDed).
    public let keys: [QIDOMatchKey]
    /// Date and time range keys that match as one date-time range (PS3.4 §C.2.2.2.5).
    public let combinedDateTimeRanges: [QIDOCombinedDateTimeRange]
    /// The `includefield` parameter (PS3.18 §8.3.4.3).
    public let includeFields: QIDOIncludeFields
    /// `fuzzymatching=true` (PS3.18 §8.3.4.2): match PN values fuzzily as well as literally. `false` when
    /// absent. An archive that cannot must answer with a `Warning: 299` header, not fail.
    public let fuzzyMatching: Bool
    /// `emptyvaluematching` (PS3.18 §8.3.4.5): whether entities whose attribute is empty also match a
    /// non-universal key; `nil` when absent (the archive's default applies).
    public let emptyValueMatching: Bool?
    /// `multiplevaluematching` (PS3.18 §8.3.4.6): whether a multi-valued attribute matches when any of its
    /// values does; `nil` when absent.
    public let multipleValueMatching: Bool?
    /// `limit` (PS3.18 §8.3.4.4): at most this many results; `nil` when absent.
    public let limit: Int?
    /// `offset` (PS3.18 §8.3.4.4): results to skip; 0 when absent.
    public let offset: Int
    /// The values of the `accept` query parameters (PS3.18 §8.3.3.1), in order, for media type negotiation.
    public let acceptParameters: [String]
    /// The values of the `charset` query parameters (PS3.18 §8.3.3.2), in order.
    public let charsetParameters: [String]

    /// The level searched.
    public var level: QIDOLevel { scope.level }

    /// Whether every available attribute is to be returned (`includefield=all`).
    public var returnsAllAttributes: Bool { includeFields == .all }

    /// The attributes each result carries (unless ``returnsAllAttributes``): the defaults of the scope
    /// (``QIDOReturnAttributes/defaults(for:)-(QIDOScope)``), then the `includefield` attributes, then the
    /// matching keys' attributes (a key's attribute is always returned, PS3.4 §C.2.2.1), without repetitions.
    public var returnAttributes: [QIDOAttributePath] {
        var paths = QIDOReturnAttributes.defaults(for: scope)
        if case .attributes(let included) = includeFields { paths += included }
        paths += keys.map(\.path)
        paths += combinedDateTimeRanges.flatMap { [$0.datePath, $0.timePath] }
        return QIDOReturnAttributes.unique(paths)
    }

    /// Parses the query items of a search on `scope`.
    ///
    /// - Parameter queryItems: name and value pairs in order, already percent-decoded (see
    ///   ``QIDOQueryString/decode(_:)`` for a raw query string). Names are case-sensitive.
    /// - Throws: ``QIDOQueryError`` for anything PS3.18 §8.3.4 or PS3.4 §C.2.2.2 does not allow.
    public static func parse(queryItems: [(String, String)], scope: QIDOScope) throws(QIDOQueryError) -> QIDOQuery {
        var parser = QIDOQueryParser()
        for (name, value) in queryItems { try parser.add(name: name, value: value) }
        return try parser.finish(scope: scope)
    }

    /// Parses the query items of a search at `level` under the path UIDs given (see ``QIDOScope``).
    public static func parse(
        queryItems: [(String, String)], level: QIDOLevel, studyInstanceUID: String? = nil,
        seriesInstanceUID: String? = nil
    ) throws(QIDOQueryError) -> QIDOQuery {
        let scope = try QIDOScope(
            level: level, studyInstanceUID: studyInstanceUID, seriesInstanceUID: seriesInstanceUID)
        return try parse(queryItems: queryItems, scope: scope)
    }

    init(parser: QIDOQueryParser, scope: QIDOScope) {
        let combined = QIDOCombinedDateTimeRange.combine(parser.keys)
        self.scope = scope
        self.keys = combined.keys
        self.combinedDateTimeRanges = combined.ranges
        self.includeFields = parser.includeFields
        self.fuzzyMatching = parser.fuzzyMatching ?? false
        self.emptyValueMatching = parser.emptyValueMatching
        self.multipleValueMatching = parser.multipleValueMatching
        self.limit = parser.limit
        self.offset = parser.offset ?? 0
        self.acceptParameters = parser.accept
        self.charsetParameters = parser.charset
    }
}
