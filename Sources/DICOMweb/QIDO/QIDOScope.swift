/// The information-model level a QIDO-RS search returns (PS3.18 §10.6.1).
public enum QIDOLevel: String, Sendable, Hashable, CaseIterable {
    /// SearchForStudies: `/studies`.
    case study
    /// SearchForSeries: `/series`, `/studies/{study}/series`.
    case series
    /// SearchForInstances: `/instances`, `/studies/{study}/instances`, `/studies/{study}/series/{series}/instances`.
    case instance
}

/// The target resource of a QIDO-RS search, i.e. the path before the query (PS3.18 §10.6.1):
/// which level is searched and which Study and Series the path fixes.
public enum QIDOScope: Sendable, Hashable {
    /// `/studies`
    case allStudies
    /// `/series`
    case allSeries
    /// `/studies/{study}/series`
    case seriesInStudy(study: String)
    /// `/instances`
    case allInstances
    /// `/studies/{study}/instances`
    case instancesInStudy(study: String)
    /// `/studies/{study}/series/{series}/instances`
    case instancesInSeries(study: String, series: String)

    /// The level whose entities the search returns.
    public var level: QIDOLevel {
        switch self {
        case .allStudies: .study
        case .allSeries, .seriesInStudy: .series
        case .allInstances, .instancesInStudy, .instancesInSeries: .instance
        }
    }

    /// The Study Instance UID fixed by the path, if any.
    public var studyInstanceUID: String? {
        switch self {
        case .seriesInStudy(let study), .instancesInStudy(let study), .instancesInSeries(let study, _): study
        case .allStudies, .allSeries, .allInstances: nil
        }
    }

    /// The Series Instance UID fixed by the path, if any.
    public var seriesInstanceUID: String? {
        if case .instancesInSeries(_, let series) = self { return series }
        return nil
    }

    /// The scope for `level` with the UIDs taken from the path; throws ``QIDOQueryError/Code/invalidScope`` for
    /// combinations PS3.18 §10.6.1 does not define (a study search inside a study, a series UID
    /// without its study, a series UID on a series search) or for UIDs that are not valid UIDs (PS3.5 §9.1).
    public init(
        level: QIDOLevel, studyInstanceUID: String? = nil, seriesInstanceUID: String? = nil
    ) throws(QIDOQueryError) {
        for (name, uid) in [("StudyInstanceUID", studyInstanceUID), ("SeriesInstanceUID", seriesInstanceUID)] {
            if let uid, !QIDOValueSyntax.isValidUID(uid) {
                throw QIDOQueryError(.invalidScope, parameter: name, "The \(name) in the path is not a valid UID.")
            }
        }
        switch (level, studyInstanceUID, seriesInstanceUID) {
        case (.study, nil, nil): self = .allStudies
        case (.series, nil, nil): self = .allSeries
        case (.series, let study?, nil): self = .seriesInStudy(study: study)
        case (.instance, nil, nil): self = .allInstances
        case (.instance, let study?, nil): self = .instancesInStudy(study: study)
        case (.instance, let study?, let series?): self = .instancesInSeries(study: study, series: series)
        default:
            throw QIDOQueryError(
                .invalidScope, parameter: nil,
                "PS3.18 §10.6.1 defines no \(level.rawValue) search with these path UIDs.")
        }
    }
}
