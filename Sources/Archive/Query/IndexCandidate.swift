/// One entity an ``IndexStore`` found for a ``QueryPlan``: what the index holds about it, undecoded, so that the
/// archive decides the residual matching and builds the result (``QueryService``).
///
/// A candidate of a plan without ``QueryPlan/includesAttributes`` is light: it carries its position, UIDs, the
/// study's and series' keys and its indexed values only; its attribute sets are empty (`[]`), its study's
/// modalities and SOP classes empty and its counts `0`.
public struct IndexCandidate: Sendable {
    /// The entity's place in storage order (``QueryPlan/Order/storage``), for keyset paging (``QueryPlan/after``).
    public var position: Int64
    /// Study Instance UID.
    public var studyUID: String
    /// Series Instance UID, for series and instances.
    public var seriesUID: String?
    /// SOP Instance UID, for instances.
    public var sopInstanceUID: String?
    /// The values of the plan's ``QueryPlan/indexedValues`` the entity has (see ``IndexedAttribute``); an
    /// attribute without a value is absent.
    public var indexedValues: [IndexedAttribute: String]
    /// The study.
    public var study: Study
    /// The series, for series and instances.
    public var series: Series?
    /// The instance's attribute set (``AttributeCodec``), for instances. For an instance stored into a study of
    /// another patient it carries that instance's own patient attributes. Empty (`[]`) for instances of a plan
    /// without ``QueryPlan/includesAttributes``.
    public var instanceAttributes: [UInt8]?

    /// A study as the index keeps it.
    public struct Study: Sendable {
        /// Identifies the study within the index (candidates of one study share it).
        public var key: Int64
        /// Its attribute set (``AttributeCodec``); empty in a light candidate.
        public var attributes: [UInt8]
        /// The distinct Modality values of its series, sorted.
        public var modalities: [String]
        /// The distinct SOP Class UIDs of its instances, sorted.
        public var sopClasses: [String]
        /// How many series it has.
        public var seriesCount: Int
        /// How many instances it has.
        public var instanceCount: Int

        /// Creates a study.
        public init(
            key: Int64, attributes: [UInt8], modalities: [String], sopClasses: [String], seriesCount: Int,
            instanceCount: Int
        ) {
            self.key = key
            self.attributes = attributes
            self.modalities = modalities
            self.sopClasses = sopClasses
            self.seriesCount = seriesCount
            self.instanceCount = instanceCount
        }
    }

    /// A series as the index keeps it.
    public struct Series: Sendable {
        /// Identifies the series within the index.
        public var key: Int64
        /// Its attribute set (``AttributeCodec``); empty in a light candidate.
        public var attributes: [UInt8]
        /// How many instances it has.
        public var instanceCount: Int

        /// Creates a series.
        public init(key: Int64, attributes: [UInt8], instanceCount: Int) {
            self.key = key
            self.attributes = attributes
            self.instanceCount = instanceCount
        }
    }

    /// Creates a candidate.
    public init(
        position: Int64, studyUID: String, seriesUID: String?, sopInstanceUID: String?,
        indexedValues: [IndexedAttribute: String], study: Study, series: Series?, instanceAttributes: [UInt8]?
    ) {
        self.position = position
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.sopInstanceUID = sopInstanceUID
        self.indexedValues = indexedValues
        self.study = study
        self.series = series
        self.instanceAttributes = instanceAttributes
    }
}
