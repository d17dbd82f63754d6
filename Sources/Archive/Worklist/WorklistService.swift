import DICOMBinary
import DICOMCore
import DICOMweb

/// The worklist: UPS-RS (PS3.18 §11) over the UPS Push, Pull, Watch and Event SOP Classes' behaviour (PS3.4
/// Annex CC), transport-agnostic (ARCHITECTURE §2). Every request runs in one ``WorklistStore`` transaction
/// that also queues its event reports for the subscribers, and then wakes their channels through ``hub``.
///
/// Decisions where the standard leaves room (also in docs/conformance-statement.md):
/// - Workitems are kept after they reach a final state (nothing is deleted), so every Deletion Lock is granted
///   and honoured trivially.
/// - A global subscription subscribes the AE to every workitem not yet final and to every one created later
///   (PS3.4 Table CC.2.3-2); a filtered one to those matching its filter at subscription or creation.
/// - Event reports wait in the store until the subscriber's channel takes them, across restarts.
public struct WorklistService: Sendable {
    /// The workitems, subscriptions and queued event reports.
    public let store: any WorklistStore
    /// Wakes the event channels.
    public let hub: UPSEventHub
    /// The value the SCP gives Worklist Label (0074,1202) when the creator left it empty.
    public let defaultWorklistLabel: String

    /// Creates the service.
    public init(store: any WorklistStore, hub: UPSEventHub, defaultWorklistLabel: String = "LANTERN") {
        self.store = store
        self.hub = hub
        self.defaultWorklistLabel = defaultWorklistLabel
    }

    /// Runs a write and wakes the channels of the AEs it queued events for.
    func write<T: Sendable>(
        _ body: @escaping @Sendable (any WorklistTransaction, inout EventOutbox) throws -> T
    )
        async throws -> T
    {
        let (value, recipients) = try await store.write { transaction in
            var outbox = EventOutbox(transaction: transaction)
            let value = try body(transaction, &outbox)
            return (value, outbox.recipients)
        }
        if !recipients.isEmpty { await hub.notify(recipients) }
        return value
    }

    // MARK: Create, retrieve, search (PS3.18 §11.4, §11.5, §11.9)

    /// Creates a workitem (PS3.18 §11.4, PS3.4 §CC.2.5). Its UID is `uid` (from the request URI) or the SOP
    /// Instance UID of `dataSet`; with neither, the SCP makes one (a warning says so).
    public func create(_ dataSet: DataSet, uid requested: String?) async throws -> UPSResult {
        var attributes = dataSet
        var warnings: [String] = []
        let bodyUID = attributes.string(Tag.sopInstanceUID)
        if let requested, let bodyUID, requested != bodyUID {
            throw UPSError(
                .invalid,
                "The workitem UID of the request URI (\(requested)) differs from its SOPInstanceUID (\(bodyUID)).")
        }
        let uid: String
        if let given = requested ?? bodyUID {
            uid = given
        } else {
            uid = UIDGenerator.make()
            warnings.append("The Workitem was created with modifications.")
        }
        guard QIDOValueSyntax.isValidUID(uid) else {
            throw UPSError(.invalid, "'\(uid)' is not a valid UID (PS3.5 §9.1).")
        }
        switch attributes.string(UPSTag.procedureStepState) {
        case nil:
            attributes.set(.text(UPSTag.procedureStepState, .CS, ProcedureStepState.scheduled.rawValue))
            if !warnings.contains("The Workitem was created with modifications.") {
                warnings.append("The Workitem was created with modifications.")
            }
        case ProcedureStepState.scheduled.rawValue?: break
        case let other?:
            throw UPSError(
                .invalid,
                "The provided value of Procedure Step State (0074,1000) was '\(other)', not SCHEDULED (PS3.4 §CC.2.5.1.3)."
            )
        }
        if attributes.string(UPSTag.transactionUID) != nil {
            throw UPSError(
                .invalid,
                "A new workitem has no Transaction UID (0008,1195): it is set when it is claimed (PS3.4 Table CC.2.5-3)."
            )
        }
        attributes.remove(UPSTag.transactionUID)
        let missing = UPSRules.requiredOnCreate.filter { attributes.string($0.0) == nil }.map(\.1)
        guard missing.isEmpty else {
            throw UPSError(
                .invalid, "Missing required attributes (PS3.4 Table CC.2.5-3): " + missing.joined(separator: ", "))
        }
        attributes.set(.text(Tag.sopClassUID, .UI, UPSTag.pushSOPClass))
        attributes.set(.text(Tag.sopInstanceUID, .UI, uid))
        if attributes.string(UPSTag.worklistLabel) == nil {
            attributes.set(.text(UPSTag.worklistLabel, .LO, defaultWorklistLabel))
        }
        attributes.set(.text(UPSTag.scheduledProcedureStepModificationDateTime, .DT, UPSRules.now()))
        for tag in UPSRules.createdEmpty where !attributes.contains(tag) { attributes.set(DataElement(tag, items: [])) }
        let workitem = Workitem(uid: uid, attributes: attributes, transactionUID: nil)
        let created = attributes
        try await write { transaction, outbox in
            guard try transaction.insert(workitem) else {
                throw UPSError(.conflict, "The Target Workitem already exists.")
            }
            // Global and matching filtered subscribers are subscribed to it and told (PS3.4 §CC.2.4.3).
            let subscriptions = try transaction.subscriptions()
            var subscribed: Set<String> = []
            for subscription in subscriptions where !subscribed.contains(subscription.aeTitle) {
                switch subscription.target {
                case .workitem: continue
                case .global: break
                case .filtered(let filter):
                    guard (try? UPSFilter.parse(filter))?.evaluator.matches(created) == true else { continue }
                }
                subscribed.insert(subscription.aeTitle)
                try transaction.put(
                    UPSSubscription(
                        aeTitle: subscription.aeTitle, target: .workitem(uid), deletionLock: subscription.deletionLock))
            }
            try outbox.send(UPSEventReport.stateReport(workitem), to: subscribed)
            if created.contains(UPSTag.scheduledStationNameCodeSequence)
                || created.contains(UPSTag.scheduledHumanPerformersSequence)
            {
                try outbox.send(UPSEventReport.assigned(workitem), to: subscribed)
            }
        }
        return UPSResult(uid: uid, warnings: warnings)
    }

    /// The workitem's attributes as a retrieve returns them: without its Transaction UID (PS3.18 §11.5).
    public func retrieve(_ uid: String) async throws -> DataSet {
        guard let workitem = try await store.read({ try $0.workitem(uid) }) else { throw UPSError.noSuchWorkitem(uid) }
        return workitem.attributes
    }

    /// The workitems matching `query`, in creation order, after `offset`, at most `limit` (PS3.18 §11.9);
    /// `hasMore` tells whether more match.
    public func search(_ query: QIDOFlatQuery, limit: Int) async throws -> (matches: [DataSet], hasMore: Bool) {
        let evaluator = query.evaluator
        return try await store.read { transaction in
            var matches: [DataSet] = []
            var skipped = 0
            var hasMore = false
            try transaction.forEachWorkitem { workitem in
                guard evaluator.matches(workitem.attributes) else { return true }
                if skipped < query.offset {
                    skipped += 1
                    return true
                }
                if matches.count == limit {
                    hasMore = true
                    return false
                }
                matches.append(workitem.attributes)
                return true
            }
            return (matches, hasMore)
        }
    }
}

/// The event reports a write queues, and for whom; committed with the write.
struct EventOutbox {
    let transaction: any WorklistTransaction
    var recipients: Set<String> = []

    /// Queues `report` for each AE Title.
    mutating func send(_ report: DataSet, to aeTitles: some Collection<String>) throws {
        guard !aeTitles.isEmpty else { return }
        let json = UPSEventReport.json(report)
        for ae in aeTitles.sorted() {
            try transaction.enqueue(json, for: ae)
            recipients.insert(ae)
        }
    }

    /// The AE Titles subscribed to workitem `uid`.
    func subscribers(of uid: String) throws -> [String] {
        try transaction.subscriptions().filter { $0.target == .workitem(uid) }.map(\.aeTitle)
    }
}
