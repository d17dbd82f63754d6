import DICOMweb

/// A predicate on the value of an ``IndexedAttribute``, limited to what any SQL can decide exactly with bind
/// parameters: equality, a list, an inclusive range of strings.
public enum IndexPredicate: Sendable, Hashable {
    /// The value equals this string (case-sensitive, code point by code point).
    case equals(String)
    /// The value equals one of these strings.
    case anyOf([String])
    /// The value lies within these inclusive bounds in binary string order (an open end is `nil`); a missing
    /// value never does.
    case range(lower: String?, upper: String?)
}

/// One condition of a ``QueryPlan``: a predicate the adapter decides exactly on an indexed attribute.
///
/// For ``IndexedAttribute/modalitiesInStudy`` the predicate holds when the Modality of some series of the
/// entity's study satisfies it.
public struct IndexCondition: Sendable, Hashable {
    /// The attribute.
    public var attribute: IndexedAttribute
    /// What its value must satisfy.
    public var predicate: IndexPredicate

    /// A condition on `attribute`.
    public init(_ attribute: IndexedAttribute, _ predicate: IndexPredicate) {
        self.attribute = attribute
        self.predicate = predicate
    }
}

/// The part of a search the archive decides itself with the shared ``QIDOEvaluator`` (PS3.4 §C.2.2.2): on the
/// indexed values of a candidate first (cheap, no attribute set decoded), then on its attribute set.
public struct QueryResidual: Sendable, Hashable {
    /// Keys on indexed attributes decided on ``IndexCandidate/indexedValues``.
    public var indexedKeys: [QIDOMatchKey] = []
    /// Combined date-time ranges on indexed attributes, decided on the indexed values.
    public var indexedRanges: [QIDOCombinedDateTimeRange] = []
    /// Keys decided on the candidate's attribute set (with its computed attributes).
    public var attributeKeys: [QIDOMatchKey] = []
    /// Combined date-time ranges decided on the attribute set.
    public var attributeRanges: [QIDOCombinedDateTimeRange] = []

    /// Creates a residual.
    public init(
        indexedKeys: [QIDOMatchKey] = [], indexedRanges: [QIDOCombinedDateTimeRange] = [],
        attributeKeys: [QIDOMatchKey] = [], attributeRanges: [QIDOCombinedDateTimeRange] = []
    ) {
        self.indexedKeys = indexedKeys
        self.indexedRanges = indexedRanges
        self.attributeKeys = attributeKeys
        self.attributeRanges = attributeRanges
    }

    /// Whether nothing is left to the evaluator.
    public var isEmpty: Bool {
        indexedKeys.isEmpty && indexedRanges.isEmpty && attributeKeys.isEmpty && attributeRanges.isEmpty
    }

    /// Whether candidates need their attribute sets decoded to be decided.
    public var needsAttributes: Bool { !attributeKeys.isEmpty || !attributeRanges.isEmpty }

    /// The indexed attributes the indexed keys and ranges read.
    public var indexedAttributes: Set<IndexedAttribute> {
        var out = Set(indexedKeys.compactMap { IndexedAttribute(tag: $0.path.tag) })
        for range in indexedRanges {
            if let date = IndexedAttribute(tag: range.datePath.tag) { out.insert(date) }
            if let time = IndexedAttribute(tag: range.timePath.tag) { out.insert(time) }
        }
        return out
    }
}

/// A search as the archive's index must run it, built once in `Archive` from a ``QIDOQuery`` (whatever front
/// door it came from) and translated by each ``IndexStore`` adapter into its own query language. The plan
/// decides, once, which keys an index decides exactly (``conditions``) and which the shared evaluator decides
/// (``residual``); an adapter never re-implements matching.
///
/// An adapter returns the entities of ``level`` that satisfy every condition, in ``order``, after ``after``,
/// skipping ``offset`` and returning at most ``limit``.
public struct QueryPlan: Sendable, Hashable {
    /// The order of candidates.
    public enum Order: Sendable, Hashable {
        /// Storage order: the order the entities were first stored (their ``IndexCandidate/position``), stable
        /// while the archive grows, so `offset` paging stays consistent (PS3.18 §8.3.4.4).
        case storage
    }

    /// The level of the entities searched.
    public var level: QIDOLevel
    /// Conditions the adapter decides exactly (ANDed); the path UIDs of the query's scope are among them.
    public var conditions: [IndexCondition]
    /// What the evaluator decides in `Archive`.
    public var residual: QueryResidual
    /// The matching options of the query, for the evaluator.
    public var fuzzyMatching: Bool
    /// `emptyvaluematching`, `nil` when absent.
    public var emptyValueMatching: Bool?
    /// `multiplevaluematching`, `nil` when absent.
    public var multipleValueMatching: Bool?
    /// The order of the candidates.
    public var order = Order.storage
    /// Only candidates after this ``IndexCandidate/position`` (keyset paging); `nil` from the start.
    public var after: Int64?
    /// Candidates to skip.
    public var offset = 0
    /// Candidates to return at most.
    public var limit = Int.max
    /// Whether candidates carry their attribute sets and aggregates. When `false` the adapter may return light
    /// candidates that carry only ``IndexCandidate/position``, the UIDs of the level and above, the study's and
    /// series' `key`s and the ``indexedValues``: their study's and series' `attributes` are empty (`[]`), the
    /// study's `modalities` and `sopClasses` empty, every count `0`, and ``IndexCandidate/instanceAttributes``
    /// empty for instances (`nil` above). ``QueryService`` decides the indexed values on such candidates, then
    /// fetches the ones it needs again, by ``positions``.
    public var includesAttributes = true
    /// When set, only the entities at these ``IndexCandidate/position``s are candidates (ANDed with the
    /// conditions and ``after``; their order and duplicates do not matter, candidates still come in ``order``);
    /// an empty list has no candidate. `nil` does not restrict.
    public var positions: [Int64]?

    /// Whether the conditions decide the whole search: then the adapter's page is the result's page.
    public var isExact: Bool { residual.isEmpty }

    /// The indexed values each candidate must carry (``IndexCandidate/indexedValues``).
    public var indexedValues: Set<IndexedAttribute> { residual.indexedAttributes }

    /// Creates a plan.
    public init(
        level: QIDOLevel, conditions: [IndexCondition] = [], residual: QueryResidual = QueryResidual(),
        fuzzyMatching: Bool = false, emptyValueMatching: Bool? = nil, multipleValueMatching: Bool? = nil
    ) {
        self.level = level
        self.conditions = conditions
        self.residual = residual
        self.fuzzyMatching = fuzzyMatching
        self.emptyValueMatching = emptyValueMatching
        self.multipleValueMatching = multipleValueMatching
    }
}
