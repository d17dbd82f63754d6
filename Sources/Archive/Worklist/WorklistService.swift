import DICOMBinary
import DICOMCore
import DICOMweb
import Logging

/// The worklist: UPS-RS (PS3.18 §11) over the UPS Push, Pull, Watch and Event SOP Classes' behaviour (PS3.4
/// Annex CC), transport-agnostic (ARCHITECTURE §2). Every request runs in one ``WorklistStore`` transaction
/// that also queues its event reports for the subscribers, and then publishes what changed through ``notifier``
/// (the subscribers' AEs and the workitems), which wakes their channels.
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
    /// The event channels of this node: one per AE (``UPSEventHub/openChannel(for:)``).
    public let hub: UPSEventHub
    /// Where changes are published (``ChangeTopic``): the hub itself (in process) unless another is given. A
    /// notifier other than the hub must also reach the hub's channels (they wait on ``UPSEventHub/wait(for:)``
    /// until they subscribe through the notifier).
    public let notifier: any EventNotifier
    /// The value the SCP gives Worklist Label (0074,1202) when the creator left it empty.
    public let defaultWorklistLabel: String
    /// The most event reports kept for one AE while it is not connected; older ones are dropped (PS3.4
    /// §CC.2.4.3 does not ask an SCP to retry a delivery).
    public let maximumQueuedEvents: Int

    /// Creates the service; `notifier` defaults to `hub`.
    public init(
        store: any WorklistStore, hub: UPSEventHub, notifier: (any EventNotifier)? = nil,
        defaultWorklistLabel: String = "LANTERN", maximumQueuedEvents: Int = 10_000
    ) {
        self.store = store
        self.hub = hub
        self.notifier = notifier ?? hub
        self.defaultWorklistLabel = defaultWorklistLabel
        self.maximumQueuedEvents = maximumQueuedEvents
    }

    /// Runs a write and publishes what it changed: the AEs it queued events for and the workitems it changed.
    /// The change is committed before it is published; a publication that fails is not the request's failure
    /// (a notification only tells a channel to look: the reports wait in the store for its next look).
    func write<T: Sendable>(
        _ body: @escaping @Sendable (any WorklistTransaction, inout EventOutbox) async throws -> T
    )
        async throws -> T
    {
        let limit = maximumQueuedEvents
        let (value, topics) = try await store.write { transaction in
            var outbox = EventOutbox(transaction: transaction, limit: limit)
            let value = try await body(transaction, &outbox)
            return (value, outbox.topics)
        }
        if !topics.isEmpty {
            // The change is committed; subscribers miss this wake-up only (their events stay queued).
            do { try await notifier.publish(topics) } catch {
                ArchiveLog.logger.warning(
                    "worklist events were not announced", metadata: ["error": ArchiveLog.describe(error)])
            }
        }
        return value
    }

    // MARK: Create, retrieve, search (PS3.18 §11.4, §11.5, §11.9)

    /// Creates a workitem (PS3.18 §11.4, PS3.4 §CC.2.5). Its UID is `uid` (from the request URI) or the SOP
    /// Instance UID of `dataSet`; with neither, the SCP makes one (a warning says so).
    public func create(_ dataSet: DataSet, uid requested: String?) async throws -> UPSResult {
        var attributes = dataSet
        var warnings: [String] = []
        // The whole encoded value without its padding: a backslash makes it invalid, not two values.
        let bodyUID = attributes[Tag.sopInstanceUID]?.value.bytes.map {
            String(UIDValidation.trimmingPadding(String(decoding: $0, as: UTF8.self)))
        }.flatMap { $0.isEmpty ? nil : $0 }
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
        if let problem = UIDValidation.problem(uid) {
            throw UPSError(.invalid, "The workitem UID is not a valid UID (PS3.5 §9.1): \(problem).")
        }
        switch attributes.string(Tag.procedureStepState) {
        case nil:
            attributes.set(.text(Tag.procedureStepState, .CS, ProcedureStepState.scheduled.rawValue))
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
        if attributes.string(Tag.transactionUID) != nil {
            throw UPSError(
                .invalid,
                "A new workitem has no Transaction UID (0008,1195): it is set when it is claimed (PS3.4 Table CC.2.5-3)."
            )
        }
        attributes.remove(Tag.transactionUID)
        let missing = UPSRules.requiredOnCreate.filter { attributes.string($0.0) == nil }.map(\.1)
        guard missing.isEmpty else {
            throw UPSError(
                .invalid, "Missing required attributes (PS3.4 Table CC.2.5-3): " + missing.joined(separator: ", "))
        }
        attributes.set(.text(Tag.sopClassUID, .UI, UPSTag.pushSOPClass))
        attributes.set(.text(Tag.sopInstanceUID, .UI, uid))
        if attributes.string(Tag.worklistLabel) == nil {
            attributes.set(.text(Tag.worklistLabel, .LO, defaultWorklistLabel))
        }
        attributes.set(.text(Tag.scheduledProcedureStepModificationDateTime, .DT, DICOMClock.nowDT()))
        for tag in UPSRules.createdEmpty {
            // "Shall be created empty" (Table CC.2.5-3): what is performed is recorded later, by its performer.
            guard attributes[tag]?.value.items?.isEmpty ?? true else {
                throw UPSError(.invalid, "\(tag) must be empty when a workitem is created (PS3.4 Table CC.2.5-3).")
            }
            attributes.set(DataElement(tag, items: []))
        }
        let workitem = Workitem(uid: uid, attributes: attributes, transactionUID: nil)
        let created = attributes
        try await write { transaction, outbox in
            guard try await transaction.insert(workitem) else {
                throw UPSError(.conflict, "The Target Workitem already exists.")
            }
            outbox.changed(uid)
            // Global and matching filtered subscribers are subscribed to it and told (PS3.4 §CC.2.4.3).
            var subscribed: Set<String> = []
            for subscription in try await transaction.worklistSubscriptions()
            where !subscribed.contains(subscription.aeTitle) {
                switch subscription.target {
                case .workitem: continue
                case .global: break
                case .filtered(let filter):
                    guard (try? UPSFilter.parse(filter))?.evaluator.matches(created) == true else { continue }
                }
                subscribed.insert(subscription.aeTitle)
                try await transaction.put(
                    UPSSubscription(
                        aeTitle: subscription.aeTitle, target: .workitem(uid), deletionLock: subscription.deletionLock))
            }
            try await outbox.send(UPSEventReport.stateReport(workitem), to: subscribed)
            if UPSRules.isAssigned(created) { try await outbox.send(UPSEventReport.assigned(workitem), to: subscribed) }
        }
        return UPSResult(uid: uid, warnings: warnings)
    }

    /// The workitem's attributes as a retrieve returns them: without its Transaction UID (PS3.18 §11.5).
    public func retrieve(_ uid: String) async throws -> DataSet {
        guard let workitem = try await store.read({ try await $0.workitem(uid) }) else {
            throw UPSError.noSuchWorkitem(uid)
        }
        return workitem.attributes
    }

    /// The workitems matching `query`, in creation order: the page after `offset` of at most `limit`, and how
    /// many more match (PS3.18 §11.9).
    public func search(_ query: QIDOFlatQuery, limit: Int) async throws -> SearchPage<DataSet> {
        try await QueryService.search(query, limit: limit) { after, count in
            try await store.workitemRecords(after: after, count: count)
        }
    }
}

/// The event reports a write queues, and for whom; committed with the write.
struct EventOutbox {
    let transaction: any WorklistTransaction
    /// The most reports kept per AE.
    let limit: Int
    /// The AEs reports were queued for.
    var recipients: Set<String> = []
    /// The workitems changed.
    var workitems: Set<String> = []

    /// What to publish once the write is committed.
    var topics: Set<ChangeTopic> {
        Set(recipients.map(ChangeTopic.subscriber)).union(workitems.map(ChangeTopic.workitem))
    }

    /// Records that workitem `uid` changed.
    mutating func changed(_ uid: String) { workitems.insert(uid) }

    /// Queues `report` for each AE Title.
    mutating func send(_ report: DataSet, to aeTitles: some Collection<String>) async throws {
        guard !aeTitles.isEmpty else { return }
        let json = UPSEventReport.json(report)
        try await transaction.enqueue(aeTitles.sorted().map { (json, $0) }, limit: limit)
        recipients.formUnion(aeTitles)
    }

    /// Queues `reports`, in order, for one AE Title (one call to the store).
    mutating func send(_ reports: [DataSet], to aeTitle: String) async throws {
        guard !reports.isEmpty else { return }
        try await transaction.enqueue(reports.map { (UPSEventReport.json($0), aeTitle) }, limit: limit)
        recipients.insert(aeTitle)
    }
}
