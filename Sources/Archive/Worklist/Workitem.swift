import DICOMBinary
import DICOMCore

/// The states of a Unified Procedure Step (PS3.4 §CC.1.1, Table CC.1.1-1), as the code strings of Procedure
/// Step State (0074,1000).
public enum ProcedureStepState: String, Sendable, Hashable, CaseIterable {
    /// Created, not yet claimed by a performer.
    case scheduled = "SCHEDULED"
    /// Claimed by a performer, who holds its Transaction UID.
    case inProgress = "IN PROGRESS"
    /// Ended without being completed (final).
    case canceled = "CANCELED"
    /// Ended as completed (final).
    case completed = "COMPLETED"

    /// Whether the state is final: no transition leaves it.
    public var isFinal: Bool { self == .canceled || self == .completed }
}

/// One stored workitem: a UPS instance (PS3.4 Annex CC) with every attribute it was created and updated with.
/// Its Transaction UID (0008,1195) is kept in ``transactionUID`` and never in ``attributes``, because PS3.4
/// §CC.2.5.1.1 keeps it secret from everyone but the performer that set it.
public struct Workitem: Sendable, Hashable {
    /// Its SOP Instance UID (the workitem UID of the resource paths).
    public var uid: String
    /// Its attributes, Procedure Step State included.
    public var attributes: DataSet
    /// The Transaction UID of the performer that holds it (`IN PROGRESS` and the final states), if any.
    public var transactionUID: String?

    /// Creates a workitem.
    public init(uid: String, attributes: DataSet, transactionUID: String?) {
        self.uid = uid
        self.attributes = attributes
        self.transactionUID = transactionUID
    }

    /// Its Procedure Step State; `SCHEDULED` when the value is missing (cannot happen for stored workitems).
    public var state: ProcedureStepState {
        attributes.string(Tag.procedureStepState).flatMap { ProcedureStepState(rawValue: $0.trimmingSpaces) }
            ?? .scheduled
    }
}

/// A subscription of an Application Entity to workitem events (PS3.4 §CC.2.3, PS3.18 §11.10).
public struct UPSSubscription: Sendable, Hashable {
    /// What the subscription covers.
    public enum Target: Sendable, Hashable {
        /// One workitem.
        case workitem(String)
        /// Every workitem, present and future (the well-known UID 1.2.840.10008.5.1.4.34.5).
        case global
        /// Every workitem matching a filter, given as QIDO-RS query parameters (1.2.840.10008.5.1.4.34.5.1).
        case filtered(String)

        /// What the workitem UID of a subscription resource names: the Worklist and Filtered Worklist by their
        /// well-known UIDs (the latter with `filter`), any other UID one workitem.
        public init(resource uid: String, filter: String = "") {
            switch uid {
            case UPSTag.globalSubscriptionUID: self = .global
            case UPSTag.filteredSubscriptionUID: self = .filtered(filter)
            default: self = .workitem(uid)
            }
        }
    }
    /// The subscriber's AE Title.
    public var aeTitle: String
    /// What it covers.
    public var target: Target
    /// Whether the subscriber asked the SCP to keep final workitems until it has seen their last event.
    public var deletionLock: Bool
    /// Creates a subscription.
    public init(aeTitle: String, target: Target, deletionLock: Bool) {
        self.aeTitle = aeTitle
        self.target = target
        self.deletionLock = deletionLock
    }
}

/// An event report waiting for its subscriber, in the order it was produced.
public struct UPSQueuedEvent: Sendable, Hashable {
    /// Its position in the queue (increasing).
    public var id: Int64
    /// The event report, as a DICOM JSON object (PS3.18 §11.12 / Annex F).
    public var json: [UInt8]
    /// Creates a queued event.
    public init(id: Int64, json: [UInt8]) {
        self.id = id
        self.json = json
    }
}
