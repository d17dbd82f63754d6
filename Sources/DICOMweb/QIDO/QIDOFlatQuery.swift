import DICOMCore

/// A search of a single-level model with the QIDO-RS query parameters and matching rules (PS3.18 §8.3.4):
/// the worklist (UPS-RS SearchForWorkitems, PS3.18 §11.9) and the non-patient instance categories (PS3.18
/// §12.6). It has no study / series / instance scope; otherwise it reads and matches exactly as ``QIDOQuery``
/// (same parser, same ``QIDOEvaluator``).
public struct QIDOFlatQuery: Sendable, Hashable {
    /// The matching keys, ANDed.
    public let keys: [QIDOMatchKey]
    /// Date and time range keys that match as one range (PS3.4 §C.2.2.2.5).
    public let combinedDateTimeRanges: [QIDOCombinedDateTimeRange]
    /// The `includefield` parameter (PS3.18 §8.3.4.3).
    public let includeFields: QIDOIncludeFields
    /// `fuzzymatching=true`.
    public let fuzzyMatching: Bool
    /// `emptyvaluematching`, `nil` when absent.
    public let emptyValueMatching: Bool?
    /// `multiplevaluematching`, `nil` when absent.
    public let multipleValueMatching: Bool?
    /// `limit`, `nil` when absent.
    public let limit: Int?
    /// `offset`, 0 when absent.
    public let offset: Int

    /// Parses percent-decoded query items; `accept` and `charset` are accepted and left to content
    /// negotiation. Throws ``QIDOQueryError`` as ``QIDOQuery/parse(queryItems:scope:)`` does.
    public static func parse(queryItems: [(String, String)]) throws(QIDOQueryError) -> QIDOFlatQuery {
        var parser = QIDOQueryParser()
        for (name, value) in queryItems { try parser.add(name: name, value: value) }
        try parser.checkNames()
        let combined = QIDOCombinedDateTimeRange.combine(parser.keys)
        return QIDOFlatQuery(
            keys: combined.keys, combinedDateTimeRanges: combined.ranges, includeFields: parser.includeFields,
            fuzzyMatching: parser.fuzzyMatching ?? false, emptyValueMatching: parser.emptyValueMatching,
            multipleValueMatching: parser.multipleValueMatching, limit: parser.limit, offset: parser.offset ?? 0)
    }

    /// The evaluator of the keys and matching options.
    public var evaluator: QIDOEvaluator {
        QIDOEvaluator(
            keys: keys, combinedDateTimeRanges: combinedDateTimeRanges, fuzzyMatching: fuzzyMatching,
            emptyValueMatching: emptyValueMatching, multipleValueMatching: multipleValueMatching)
    }

    /// The top-level tags a match returns given the model's `defaults`: those, the `includefield` ones and the
    /// matching keys' (PS3.4 §C.2.2.1); `nil` for `includefield=all`.
    public func returnedTags(defaults: [Tag]) -> Set<Tag>? {
        guard case .attributes(let included) = includeFields else { return nil }
        var tags = Set(defaults)
        for path in included { tags.insert(path.tags[0]) }
        for key in keys { tags.insert(key.path.tags[0]) }
        for range in combinedDateTimeRanges {
            tags.insert(range.datePath.tags[0])
            tags.insert(range.timePath.tags[0])
        }
        return tags
    }
}
