import DICOMweb

/// How a ``QIDOQuery`` becomes a ``QueryPlan`` (PS3.4 §C.2.2.2, PS3.18 §8.3.4). Decisions:
/// - Exact in the index: UID keys (Single Value and List of UID Matching) on the four indexed UIDs; Single
///   Value and list matching of Patient ID, Accession Number and Modality; a single Study Date; Modalities in
///   Study (some series has the modality) unless `multiplevaluematching=false`. With `emptyvaluematching=true`
///   only the UID keys stay exact (the indexed UIDs are never empty).
/// - A Study Date range is a range condition on the indexed value (which narrows with the index) and is
///   confirmed on the indexed value by the evaluator (a stored date in another form, or not a calendar date,
///   is decided as PS3.4 says, not as a string).
/// - Decided by the evaluator on the indexed values, without decoding any attribute set: every other key on an
///   indexed attribute (person names, wildcards, times, Study Description, fuzzy matching, …) and combined
///   date-time ranges on Study Date and Study Time.
/// - Decided by the evaluator on the attribute set: keys on other attributes, keys inside sequences, keys on
///   attributes below the searched level (which then match only by empty value matching).
/// - Universal keys match every entity and produce nothing.
extension QueryPlan {
    /// The plan of `query`'s scope, keys and matching options; ``offset`` and ``limit`` are left open.
    public init(_ query: QIDOQuery) {
        self.init(
            level: query.level, fuzzyMatching: query.fuzzyMatching, emptyValueMatching: query.emptyValueMatching,
            multipleValueMatching: query.multipleValueMatching)
        if let study = query.scope.studyInstanceUID { conditions.append(.init(.studyInstanceUID, .equals(study))) }
        if let series = query.scope.seriesInstanceUID {
            conditions.append(.init(.seriesInstanceUID, .equals(series)))
        }
        for key in query.keys { add(key) }
        for range in query.combinedDateTimeRanges {
            if indexed(range.datePath) != nil, indexed(range.timePath) != nil {
                residual.indexedRanges.append(range)
            } else {
                residual.attributeRanges.append(range)
            }
        }
    }

    /// The indexed attribute a path names at this plan's level, if any.
    private func indexed(_ path: QIDOAttributePath) -> IndexedAttribute? {
        guard !path.isNested, let attribute = IndexedAttribute(tag: path.tag), level.reaches(attribute.level)
        else { return nil }
        return attribute
    }

    private mutating func add(_ key: QIDOMatchKey) {
        if case .universal = key.matching { return }
        guard let attribute = indexed(key.path) else {
            residual.attributeKeys.append(key)
            return
        }
        switch Self.decide(
            key.matching, on: attribute, emptyValueMatching: emptyValueMatching == true,
            multipleValueMatching: multipleValueMatching != false)
        {
        case .exact(let predicate):
            conditions.append(IndexCondition(attribute, predicate))
        case .narrowed(let predicate):
            conditions.append(IndexCondition(attribute, predicate))
            residual.indexedKeys.append(key)
        case .evaluated:
            residual.indexedKeys.append(key)
        }
    }

    private enum Decision {
        /// The predicate decides the key.
        case exact(IndexPredicate)
        /// The predicate holds for every match; the evaluator decides among those.
        case narrowed(IndexPredicate)
        /// The evaluator decides on the indexed value.
        case evaluated
    }

    private static func decide(
        _ matching: QIDOMatching, on attribute: IndexedAttribute, emptyValueMatching: Bool,
        multipleValueMatching: Bool
    ) -> Decision {
        if attribute.isMandatoryUID {
            switch matching {
            case .uid(let uid): return .exact(.equals(uid))
            case .uidList(let uids): return .exact(.anyOf(uids))
            default: return .evaluated
            }
        }
        // An empty stored value matches too: only the evaluator sees it.
        if emptyValueMatching { return .evaluated }
        switch (attribute, matching) {
        case (.patientID, .text(let value)), (.accessionNumber, .text(let value)), (.modality, .text(let value)):
            return .exact(.equals(value))
        case (.patientID, .textList(let values)), (.accessionNumber, .textList(let values)),
            (.modality, .textList(let values)):
            return .exact(.anyOf(values))
        case (.modalitiesInStudy, .text(let value)):
            // Several modalities make a multi-valued attribute, which multiplevaluematching=false excludes.
            return multipleValueMatching ? .exact(.equals(value)) : .narrowed(.equals(value))
        case (.modalitiesInStudy, .textList(let values)):
            return multipleValueMatching ? .exact(.anyOf(values)) : .narrowed(.anyOf(values))
        case (.studyDate, .date(let date)):
            return .exact(.equals(date.description))
        case (.studyDate, .dateRange(let range)):
            return .narrowed(.range(lower: range.lower?.description, upper: range.upper?.description))
        default:
            return .evaluated
        }
    }
}
