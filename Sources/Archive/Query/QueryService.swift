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
/// An exact plan is paged by the index. Otherwise candidates come in keyset batches and the evaluator decides
/// each: first on the indexed values of a light candidate (``QueryPlan/includesAttributes`` off, no attribute set
/// read), then only the survivors are fetched in full (``QueryPlan/positions``); when the indexed values decide
/// alone, only the page's matches are, after every batch is counted, so a match skipped by `offset` or a
/// rejected candidate never has its attribute sets read. When only the attribute set decides, every candidate
/// is fetched in full and decoded.
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
        var page = Page(offset: offset, limit: limit)
        plan.limit = max(1, batchSize)
        let onAttributes = plan.evaluator(plan.residual.attributeKeys, plan.residual.attributeRanges)
        guard let onValues = plan.evaluator(plan.residual.indexedKeys, plan.residual.indexedRanges) else {
            return try await decodingEach(plan, onAttributes, &page, &builder)
        }
        // Step 1: light candidates (no attribute set read) decided on their indexed values.
        var light = plan
        light.includesAttributes = false
        var positions: [Int64] = []  // of the page's matches, when the indexed values decide alone
        var matches: [SearchMatch] = []
        var hasMore = false
        batches: while true {
            let candidates = try await index.candidates(light)
            let survivors = candidates.filter { onValues.matches(Self.indexedDataSet($0.indexedValues)) }
            if let onAttributes {
                // Step 2 per batch: the survivors in full, decided on their attribute sets.
                for candidate in try await full(plan, at: survivors.map(\.position), matching: onValues) {
                    let decoded = builder.attributes(candidate)
                    guard onAttributes.matches(decoded) else { continue }
                    switch page.count() {
                    case .skip: continue
                    case .take: matches.append(builder.match(candidate, attributes: decoded))
                    case .beyond: return QueryResult(matches: matches, hasMore: true)
                    }
                }
            } else {
                for survivor in survivors {
                    switch page.count() {
                    case .skip: continue
                    case .take: positions.append(survivor.position)
                    case .beyond:
                        hasMore = true
                        break batches
                    }
                }
            }
            guard candidates.count == light.limit, let last = candidates.last else { break }
            light.after = last.position
        }
        // Step 2: the page's matches in full, a batch at a time.
        let size = max(1, batchSize)
        for start in stride(from: 0, to: positions.count, by: size) {
            let slice = Array(positions[start..<min(start + size, positions.count)])
            matches += try await full(plan, at: slice, matching: onValues).map { builder.match($0) }
        }
        return QueryResult(matches: matches, hasMore: hasMore)
    }

    /// The search when only the attribute sets decide: every candidate is fetched in full and decoded.
    private func decodingEach(
        _ plan: QueryPlan, _ onAttributes: QIDOEvaluator?, _ page: inout Page, _ builder: inout ResultBuilder
    ) async throws -> QueryResult {
        var plan = plan
        var matches: [SearchMatch] = []
        while true {
            let candidates = try await index.candidates(plan)
            for candidate in candidates {
                let decoded = builder.attributes(candidate)
                if let onAttributes, !onAttributes.matches(decoded) { continue }
                switch page.count() {
                case .skip: continue
                case .take: matches.append(builder.match(candidate, attributes: decoded))
                case .beyond: return QueryResult(matches: matches, hasMore: true)
                }
            }
            guard candidates.count == plan.limit, let last = candidates.last else { break }
            plan.after = last.position
        }
        return QueryResult(matches: matches, hasMore: false)
    }

    /// The full candidates of `plan` at `positions` (at most a batch), in storage order: those whose indexed
    /// values still match (an entity changed since its light fetch is decided anew, never returned unchecked).
    private func full(
        _ plan: QueryPlan, at positions: [Int64], matching onValues: QIDOEvaluator
    ) async throws -> [IndexCandidate] {
        if positions.isEmpty { return [] }
        var plan = plan
        plan.positions = positions
        plan.after = nil
        plan.offset = 0
        plan.limit = Int.max
        plan.includesAttributes = true
        return try await index.candidates(plan).filter { onValues.matches(Self.indexedDataSet($0.indexedValues)) }
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

/// The page of a search that is not exact, as its matches come in storage order: `offset` skipped, then at most
/// `limit` taken; a match beyond them means more exist.
private struct Page {
    /// What to do with the next match.
    enum Step { case skip, take, beyond }

    let offset: Int
    let end: Int
    private var seen = 0

    init(offset: Int, limit: Int) {
        self.offset = offset
        let end = offset.addingReportingOverflow(limit)
        self.end = end.overflow ? Int.max : end.partialValue
    }

    /// Counts one more match.
    mutating func count() -> Step {
        seen += 1
        if seen > end { return .beyond }
        return seen > offset ? .take : .skip
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
