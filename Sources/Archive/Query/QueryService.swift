import DICOMCore
import DICOMweb

/// What a search found: the page of matches and whether more exist beyond it.
public struct QueryResult: Sendable {
    /// The matches of the page, in storage order.
    public var matches: [SearchMatch]
    /// Whether more matches exist after the last one returned.
    public var hasMore: Bool

    /// Creates a result.
    public init(matches: [SearchMatch], hasMore: Bool) {
        self.matches = matches
        self.hasMore = hasMore
    }
}

/// Searches the archive's studies, series and instances (PS3.4 §C.6.2 Study Root, PS3.18 §10.6): shared by
/// QIDO-RS and, through ``QIDOQuery/init(identifier:)``, C-FIND. The matching semantics and the computed
/// attributes live here, once; the ``IndexStore`` only runs a ``QueryPlan``.
///
/// An exact plan is paged by the index. Otherwise candidates come in keyset batches and the evaluator
/// decides each: first on the indexed values, then, only when the plan needs it, on the decoded attribute set;
/// a match skipped by `offset` is never decoded unless the evaluator needs its attributes.
public struct QueryService: Sendable {
    /// The index searched.
    public let index: any IndexStore
    /// Candidates per batch when the plan is not exact.
    public var batchSize = 500

    /// A service over `index`.
    public init(index: any IndexStore) {
        self.index = index
    }

    /// The matches of `query` in storage order: `query.offset` skipped, at most `limit` returned (saturated:
    /// an offset past every match is an empty page).
    public func search(_ query: QIDOQuery, limit: Int) async throws -> QueryResult {
        var plan = QueryPlan(query)
        let limit = max(0, min(limit, Int.max - 1))
        let offset = max(0, query.offset)
        var builder = ResultBuilder(level: query.level)
        if plan.isExact {
            plan.offset = offset
            plan.limit = limit + 1
            let candidates = try await index.candidates(plan)
            let matches = candidates.prefix(limit).map { builder.match($0) }
            return QueryResult(matches: matches, hasMore: candidates.count > limit)
        }
        let wanted = offset.addingReportingOverflow(limit).overflow ? Int.max : offset + limit
        let onValues = plan.evaluator(plan.residual.indexedKeys, plan.residual.indexedRanges)
        let onAttributes = plan.evaluator(plan.residual.attributeKeys, plan.residual.attributeRanges)
        plan.limit = max(1, batchSize)
        var matches: [SearchMatch] = []
        var seen = 0
        while true {
            let candidates = try await index.candidates(plan)
            for candidate in candidates {
                if let onValues, !onValues.matches(Self.indexedDataSet(candidate.indexedValues)) { continue }
                var attributes: DataSet?
                if let onAttributes {
                    let decoded = builder.attributes(candidate)
                    guard onAttributes.matches(decoded) else { continue }
                    attributes = decoded
                }
                seen += 1
                if seen > wanted { return QueryResult(matches: matches, hasMore: true) }
                if seen > offset { matches.append(builder.match(candidate, attributes: attributes)) }
            }
            guard candidates.count == plan.limit, let last = candidates.last else { break }
            plan.after = last.position
        }
        return QueryResult(matches: matches, hasMore: false)
    }

    /// The indexed values as a data set the evaluator reads: Unicode text (ISO_IR 192) in each attribute's VR.
    static func indexedDataSet(_ values: [IndexedAttribute: String]) -> DataSet {
        var dataSet = DataSet()
        dataSet.set(DataElement(.specificCharacterSet, .CS, bytes: Array("ISO_IR 192".utf8)))
        for (attribute, text) in values {
            dataSet.set(DataElement(attribute.tag, attribute.vr, bytes: Array(text.utf8)))
        }
        return dataSet
    }
}

/// Builds the matches of one search: each entity's attributes at its level and above, with the computed
/// attributes; studies and series shared by several candidates are decoded once.
private struct ResultBuilder {
    let level: QIDOLevel
    private var studies: [Int64: DataSet] = [:]
    private var series: [Int64: DataSet] = [:]

    init(level: QIDOLevel) { self.level = level }

    mutating func match(_ candidate: IndexCandidate, attributes: DataSet? = nil) -> SearchMatch {
        SearchMatch(
            attributes: attributes ?? self.attributes(candidate), studyUID: candidate.studyUID,
            seriesUID: level == .study ? nil : candidate.seriesUID,
            sopInstanceUID: level == .instance ? candidate.sopInstanceUID : nil)
    }

    /// The entity's attributes: its own, then its series', then its study's (a lower level wins a tag both have).
    mutating func attributes(_ candidate: IndexCandidate) -> DataSet {
        let study = Self.cached(&studies, candidate.study.key) { ComputedAttributes.study(candidate.study) }
        guard level != .study, let seriesRow = candidate.series else { return study }
        let series = Self.cached(&self.series, seriesRow.key) { ComputedAttributes.series(seriesRow) }
        guard level == .instance, let instance = candidate.instanceAttributes else { return series.merging(study) }
        return AttributeCodec.decode(instance).merging(series).merging(study)
    }

    private static func cached(_ cache: inout [Int64: DataSet], _ key: Int64, _ make: () -> DataSet) -> DataSet {
        if let found = cache[key] { return found }
        let made = make()
        if cache.count > 10_000 { cache.removeAll() }
        cache[key] = made
        return made
    }
}

extension QueryPlan {
    /// The shared evaluator of some residual keys, with the query's matching options; nil when there are none.
    fileprivate func evaluator(_ keys: [QIDOMatchKey], _ ranges: [QIDOCombinedDateTimeRange]) -> QIDOEvaluator? {
        if keys.isEmpty && ranges.isEmpty { return nil }
        return QIDOEvaluator(
            keys: keys, combinedDateTimeRanges: ranges, fuzzyMatching: fuzzyMatching,
            emptyValueMatching: emptyValueMatching, multipleValueMatching: multipleValueMatching)
    }
}
