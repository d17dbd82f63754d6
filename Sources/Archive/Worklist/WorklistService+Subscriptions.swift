import DICOMCore
import DICOMweb

extension WorklistService {
    /// What a subscription request addresses: one workitem, or the (filtered) worklist by its well-known UID.
    public static func target(_ uid: String, filter: String?) throws -> UPSSubscription.Target {
        let target = UPSSubscription.Target(resource: uid, filter: filter ?? "")
        switch target {
        case .global:
            guard filter == nil else {
                throw UPSError(.invalid, "A filter needs the Filtered Worklist UID \(UPSTag.filteredSubscriptionUID).")
            }
        case .filtered(let filter):
            guard !filter.isEmpty else {
                throw UPSError(.invalid, "A filtered worklist subscription needs a filter (PS3.18 §11.10.1).")
            }
            _ = try UPSFilter.parse(filter)
        case .workitem:
            guard filter == nil else { throw UPSError(.invalid, "Only the Filtered Worklist takes a filter.") }
        }
        return target
    }

    /// The AE Title a request names, without the leading and trailing spaces PS3.5 Table 6.2-1 calls
    /// insignificant; `nil` when it is not a valid AE Title.
    public static func aeTitle(_ text: String) -> String? {
        var trimmed = Substring(text)
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return isValidAETitle(String(trimmed)) ? String(trimmed) : nil
    }

    /// Whether `aeTitle` is a valid AE Title (PS3.5 Table 6.2-1): 1 to 16 characters, no backslash or control
    /// characters, not only spaces.
    public static func isValidAETitle(_ aeTitle: String) -> Bool {
        let bytes = Array(aeTitle.utf8)
        return (1...16).contains(bytes.count) && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }
            && bytes.contains { $0 != 0x20 }
    }

    /// Subscribes `aeTitle` (PS3.18 §11.10, PS3.4 §CC.2.3.2). To one workitem: it gets a UPS State Report of the
    /// current state at once. Globally (or filtered): it is subscribed to every workitem not yet final (that
    /// matches), and, with a Deletion Lock, gets a State Report for each (Table CC.2.3-2); later workitems
    /// follow at their creation.
    public func subscribe(_ aeTitle: String, to target: UPSSubscription.Target, deletionLock: Bool) async throws {
        guard Self.isValidAETitle(aeTitle) else {
            throw UPSError(.invalid, "'\(aeTitle)' is not a valid AE Title (PS3.5 Table 6.2-1).")
        }
        try await write { transaction, outbox in
            let subscription = UPSSubscription(aeTitle: aeTitle, target: target, deletionLock: deletionLock)
            switch target {
            case .workitem(let uid):
                guard let workitem = try await transaction.workitem(uid) else { throw UPSError.noSuchWorkitem(uid) }
                try await transaction.put(subscription)
                try await outbox.send(UPSEventReport.stateReport(workitem), to: [aeTitle])
            case .global, .filtered:
                var evaluator: QIDOEvaluator?
                if case .filtered(let filter) = target { evaluator = try UPSFilter.parse(filter).evaluator }
                let existing = Set(
                    try await transaction.subscriptions(of: aeTitle).compactMap {
                        if case .workitem(let uid) = $0.target { uid } else { nil }
                    })
                try await transaction.put(subscription)
                var newlySubscribed: [Workitem] = []
                try await transaction.forEachWorkitem { workitem in
                    if !workitem.state.isFinal, !existing.contains(workitem.uid),
                        evaluator?.matches(workitem.attributes) ?? true
                    {
                        newlySubscribed.append(workitem)
                    }
                    return true
                }
                try await transaction.put(
                    newlySubscribed.map {
                        UPSSubscription(aeTitle: aeTitle, target: .workitem($0.uid), deletionLock: deletionLock)
                    })
                if deletionLock { try await outbox.send(newlySubscribed.map(UPSEventReport.stateReport), to: aeTitle) }
            }
        }
    }

    /// Unsubscribes `aeTitle` (PS3.18 §11.11, PS3.4 §CC.2.3.2): from one workitem; or from the worklist, which
    /// also ends its subscription to every workitem. Throws ``UPSError/Kind/notFound`` when there was none.
    public func unsubscribe(_ aeTitle: String, from target: UPSSubscription.Target) async throws {
        try await write { transaction, _ in
            switch target {
            case .workitem:
                guard try await transaction.remove(aeTitle: aeTitle, target: target) else {
                    throw UPSError(.notFound, "The target Subscription was not found.")
                }
            case .global, .filtered:
                var removed = false
                for subscription in try await transaction.subscriptions(of: aeTitle) {
                    removed = try await transaction.remove(aeTitle: aeTitle, target: subscription.target) || removed
                }
                guard removed else { throw UPSError(.notFound, "The target Subscription was not found.") }
            }
        }
    }

    /// Suspends the global or filtered subscription of `aeTitle` (PS3.18 §11.12, PS3.4 §CC.2.3.2): workitems
    /// created later are no longer subscribed; its existing workitem subscriptions stay.
    public func suspend(_ aeTitle: String, _ target: UPSSubscription.Target) async throws {
        try await write { transaction, _ in
            guard try await transaction.remove(aeTitle: aeTitle, target: target) else {
                throw UPSError(.notFound, "The target Subscription was not found.")
            }
        }
    }

    /// Queues an SCP Status Change `RESTARTED` for every AE with a subscription (PS3.4 §CC.2.4.3); call once per
    /// cluster start, before serving: when this node's lease found no other live node (``JournalSweeper/join()``
    /// returned `true`; see ``EventNotifier``). A node joining a running cluster does not announce.
    public func announceRestart() async throws {
        try await write { transaction, outbox in
            try await outbox.send(UPSEventReport.restarted(), to: try await transaction.subscribedAETitles())
        }
    }

    /// Takes up to `limit` event reports queued for `aeTitle`; ``acknowledge(_:for:)`` them once sent.
    public func queuedEvents(for aeTitle: String, limit: Int = 64) async throws -> [UPSQueuedEvent] {
        try await store.queuedEvents(for: aeTitle, limit: limit)
    }

    /// Forgets delivered event reports.
    public func acknowledge(_ events: [UPSQueuedEvent], for aeTitle: String) async throws {
        try await store.removeEvents(events.map(\.id), for: aeTitle)
    }
}
