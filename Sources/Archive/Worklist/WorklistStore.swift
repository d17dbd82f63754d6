/// The persistent side of the worklist (ARCHITECTURE §5): workitems, subscriptions and the event reports not yet
/// delivered. Adapters run each ``WorklistStore/write(_:)`` body in one database transaction, so a state change,
/// the subscriptions it reads and the events it queues are committed together or not at all.
///
/// Isolation. A ``write(_:)`` is atomic and serializable among the writes of one database: an adapter runs
/// one write body at a time per database (SQLite: `BEGIN IMMEDIATE` on a connection of its own; PostgreSQL: a
/// transaction that locks the rows it changes, or a serializable one). Bodies are `async`, so an adapter whose
/// driver is asynchronous (postgres-nio) runs them on its own connection; a body awaits only its transaction's
/// calls, never the network or another request, so a transaction stays short. Changes of a stored workitem do
/// not rely on the isolation level: ``WorklistTransaction/replace(_:expecting:)`` is a compare-and-set on the
/// Procedure Step State and Transaction UID the change was decided on, so of several writers (requests, or
/// nodes sharing the database) claiming one workitem exactly one wins, and the others see that it changed.
/// A ``read(_:)`` sees committed data (read committed: each call of its body sees the latest commit).
public protocol WorklistStore: Sendable {
    /// Runs `body` in one write transaction; a thrown error rolls it back.
    func write<T: Sendable>(_ body: @escaping @Sendable (any WorklistTransaction) async throws -> T) async throws -> T
    /// Runs `body` on committed data; the transaction refuses writes.
    func read<T: Sendable>(_ body: @escaping @Sendable (any WorklistTransaction) async throws -> T) async throws -> T
    /// The workitems after position `after` (from the start when `nil`), in creation order, at most `count`: what
    /// ``QueryService/search(_:limit:records:)`` matches.
    func workitemRecords(after: Int64?, count: Int) async throws -> [FlatRecord]
    /// The oldest event reports queued for `aeTitle` (AE Titles are compared exactly), at most `limit`.
    func queuedEvents(for aeTitle: String, limit: Int) async throws -> [UPSQueuedEvent]
    /// Removes the delivered event reports of `aeTitle` with these ids.
    func removeEvents(_ ids: [Int64], for aeTitle: String) async throws
}

/// What a ``WorklistStore`` transaction can read and change.
public protocol WorklistTransaction: Sendable {
    /// The workitem with this UID.
    func workitem(_ uid: String) async throws -> Workitem?
    /// Stores a new workitem; `false` when one with its UID exists.
    func insert(_ workitem: Workitem) async throws -> Bool
    /// Replaces a stored workitem if its stored Procedure Step State and Transaction UID are still those of
    /// `expected` (what the change was decided on): a compare-and-set. `false`, changing nothing, when another
    /// writer changed them meanwhile, or the workitem is gone.
    func replace(_ workitem: Workitem, expecting expected: Workitem) async throws -> Bool
    /// Calls `body` with every workitem in creation order until it returns `false`.
    func forEachWorkitem(_ body: (Workitem) throws -> Bool) async throws
    /// The AE Titles subscribed to workitem `uid`.
    func subscribers(of uid: String) async throws -> [String]
    /// The global and filtered (worklist) subscriptions.
    func worklistSubscriptions() async throws -> [UPSSubscription]
    /// The subscriptions of one AE.
    func subscriptions(of aeTitle: String) async throws -> [UPSSubscription]
    /// Every AE Title with a subscription.
    func subscribedAETitles() async throws -> [String]
    /// Ends the subscriptions to workitem `uid` that hold no Deletion Lock (once it is final: nothing more will
    /// be reported, PS3.4 §CC.2.3).
    func removeUnlockedSubscriptions(of uid: String) async throws
    /// Adds subscriptions, each replacing the one of the same AE Title and target (in one call: a global
    /// subscription adds one per workitem, and a transaction's calls should be few).
    func put(_ subscriptions: [UPSSubscription]) async throws
    /// Removes a subscription; `false` when there was none.
    func remove(aeTitle: String, target: UPSSubscription.Target) async throws -> Bool
    /// Queues event reports (DICOM JSON) for subscribers, in order, dropping each subscriber's oldest reports
    /// beyond `limit`.
    func enqueue(_ reports: [(json: [UInt8], aeTitle: String)], limit: Int) async throws
}

extension WorklistTransaction {
    /// Adds a subscription or replaces the one of the same AE Title and target.
    public func put(_ subscription: UPSSubscription) async throws { try await put([subscription]) }
}
