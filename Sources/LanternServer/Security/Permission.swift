/// What a route needs the caller to be allowed (issue 18): each is a role an identity may hold.
public enum Permission: String, Sendable, CaseIterable, Comparable {
    /// QIDO-RS, WADO-RS, WADO-URI, metadata, rendered, thumbnails, capabilities.
    case read
    /// STOW-RS and the non-patient stores.
    case write
    /// DELETE of studies, series and instances.
    case delete
    /// UPS-RS: create, update, state, cancellation, subscriptions, the event channel.
    case worklist
    /// Keys and users (when they are managed over HTTP).
    case admin

    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }

    /// Every role name, for an identity that may do everything (the anonymous caller of `auth = none`).
    public static var allRoles: Set<String> { Set(allCases.map(\.rawValue)) }
}

extension Transaction {
    /// The permission the transaction needs; the switch is exhaustive, so a new transaction cannot be added
    /// without declaring one.
    var permission: Permission {
        switch self {
        case .storeInstances, .storeStudyInstances, .storeNonPatientInstances, .storeNonPatientInstance: .write
        case .deleteStudy, .deleteSeries, .deleteInstance: .delete
        case .createWorkitem, .searchForWorkitems, .retrieveWorkitem, .updateWorkitem, .changeWorkitemState,
            .requestWorkitemCancellation, .createSubscription, .deleteSubscription, .suspendGlobalSubscription,
            .openEventChannel:
            .worklist
        case .searchForStudies, .searchForSeries, .searchForInstances, .searchForStudySeries,
            .searchForStudyInstances, .searchForSeriesInstances, .retrieveStudy, .retrieveSeries, .retrieveInstance,
            .retrieveStudyMetadata, .retrieveSeriesMetadata, .retrieveInstanceMetadata, .retrieveFrames,
            .retrievePixelData, .retrieveBulkData, .retrieveRenderedStudy, .retrieveRenderedSeries,
            .retrieveRenderedInstance, .retrieveRenderedFrames, .retrieveStudyThumbnail, .retrieveSeriesThumbnail,
            .retrieveInstanceThumbnail, .retrieveFramesThumbnail, .searchNonPatientInstances,
            .retrieveNonPatientInstance:
            .read
        }
    }
}
