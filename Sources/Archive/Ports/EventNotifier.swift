/// What changed: the event reports queued for a subscriber AE, or a workitem.
public enum ChangeTopic: Hashable, Sendable {
    /// Event reports were queued for this AE Title (its event channel should look, PS3.18 §11.13).
    case subscriber(String)
    /// The workitem with this UID changed (created, updated, state changed, cancellation requested).
    case workitem(String)
}

/// One subscription to a topic: a stream of wake-ups. Changes published while the subscriber is busy are
/// coalesced into one wake-up (the subscriber then reads the current state, where the changes are), so the
/// stream never grows; it ends when the subscription is removed (``EventNotifier/unsubscribe(_:)``).
public struct ChangeSubscription: Sendable {
    /// Tells subscriptions apart within their notifier.
    public let id: Int
    /// What it listens to.
    public let topic: ChangeTopic
    /// One element per (coalesced) change.
    public let changes: AsyncStream<Void>

    /// Creates a subscription (adapters do).
    public init(id: Int, topic: ChangeTopic, changes: AsyncStream<Void>) {
        self.id = id
        self.topic = topic
        self.changes = changes
    }
}

/// Publish / subscribe of "something changed for AE X / workitem Y" (ARCHITECTURE §13). What changed lives in
/// the stores (the worklist's queued event reports); a notification only tells a subscriber to look, so a lost
/// one costs latency, never data, and one after the subscriber looked costs one empty look.
///
/// Adapters: in process (``UPSEventHub``: every subscriber is in this node); across nodes later (PostgreSQL
/// `LISTEN`/`NOTIFY`), where a publish on one node reaches the subscribers of every node.
///
/// Restart announcements (PS3.4 §CC.2.4.3, SCP Status Change `RESTARTED`) are made once per cluster start, not
/// per node: at start each node takes its lease on the shared index (``JournalSweeper/join()``), which tells in
/// the lease's own transaction whether any other node held a live lease. Only a node that found none (the first
/// of a cluster that was down) calls ``WorklistService/announceRestart()``; a node joining a running cluster, or
/// restarting while others serve, does not: the service the subscribers talk to never stopped.
public protocol EventNotifier: Sendable {
    /// Tells the subscribers of every topic in `topics` that something changed.
    func publish(_ topics: Set<ChangeTopic>) async throws
    /// Subscribes to `topic`: changes published from now on wake the subscription's stream.
    func subscribe(to topic: ChangeTopic) async throws -> ChangeSubscription
    /// Ends a subscription; its stream finishes. Nothing happens when it already ended.
    func unsubscribe(_ subscription: ChangeSubscription) async
}
