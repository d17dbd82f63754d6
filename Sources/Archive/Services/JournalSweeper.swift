/// Keeps this node's lease on the index alive and removes what stopped nodes left in the blob journal
/// (ARCHITECTURE §5, §13: several nodes may share one index).
///
/// Every ``Settings/interval`` it renews the node's lease (``IndexStore/renewLease(leaseTimeout:)``), then removes
/// the journaled blobs, and their entries, that were journaled at least ``Settings/minimumAge`` ago by a node with
/// no live lease (no heartbeat within ``Settings/leaseTimeout``) and that no instance references
/// (``StoreService/sweepAbandoned(olderThan:leaseTimeout:)``). A live node's entries are never touched, however
/// old: an upload may be in progress under them. Start-up recovery (``StoreService/recover()``) takes only this
/// node's earlier runs; this sweeper takes the rest, once it is safe.
///
/// The lease is what makes it safe, so it must outlive a pause of its holder: ``Settings/leaseTimeout`` is
/// several intervals. A node stalled for longer than the timeout *and* still writing under a key journaled more
/// than ``Settings/minimumAge`` ago could lose that blob; both bounds make that a stall of minutes during an
/// upload of an hour.
///
/// Run ``run(onSweep:)`` beside the server (in its `ServiceGroup`, or a task cancelled at shutdown): it returns
/// when its task is cancelled.
public struct JournalSweeper: Sendable {
    /// How often, and what counts as abandoned.
    public struct Settings: Sendable, Hashable {
        /// Time between two renewals of the lease (and sweeps).
        public var interval: Duration
        /// How long a lease stays live without renewal; more than ``interval`` (by default three of them).
        public var leaseTimeout: Duration
        /// How old a journal entry of a node without a live lease must be before it is removed.
        public var minimumAge: Duration
        /// How long change feed entries are kept (`change-feed-retention`); `nil`: for ever.
        public var changeFeedRetention: Duration?

        /// Creates settings; `leaseTimeout` defaults to three intervals.
        public init(
            interval: Duration = .seconds(60), leaseTimeout: Duration? = nil, minimumAge: Duration = .seconds(3600),
            changeFeedRetention: Duration? = nil
        ) {
            self.interval = interval
            self.leaseTimeout = leaseTimeout ?? interval * 3
            self.minimumAge = minimumAge
            self.changeFeedRetention = changeFeedRetention
        }

        /// Why these settings cannot work, or `nil`: the interval must be positive and shorter than the lease
        /// timeout (else a live node would look stopped between two renewals); the age must not be negative.
        public var problem: String? {
            if interval <= .zero { return "the sweep interval must be positive" }
            if leaseTimeout <= interval { return "the lease timeout must be longer than the sweep interval" }
            if minimumAge < .zero { return "the journal age must not be negative" }
            return nil
        }
    }

    /// The store whose index and blobs are swept.
    public let store: StoreService
    /// How often, and what counts as abandoned.
    public let settings: Settings

    /// Creates a sweeper; throws ``ArchiveError/Code/invalidRequest`` when the settings cannot work
    /// (``Settings/problem``).
    public init(store: StoreService, settings: Settings = Settings()) throws {
        if let problem = settings.problem { throw ArchiveError(.invalidRequest, problem) }
        self.store = store
        self.settings = settings
    }

    /// Takes this node's lease at start, before serving; tells whether this start is a cluster start: no other
    /// node held a live lease, decided in the lease's transaction, so that of several nodes starting together
    /// exactly one says yes. That node announces the restart to the worklist's subscribers
    /// (``WorklistService/announceRestart()``); the others join a running cluster.
    public func join() async throws -> Bool {
        try await store.index.renewLease(leaseTimeout: settings.leaseTimeout).isEmpty
    }

    /// Renews the lease, then removes what stopped nodes left; returns what was removed.
    public func sweepOnce() async throws -> StoreService.Recovery {
        try await store.index.renewLease(leaseTimeout: settings.leaseTimeout)
        let recovery = try await store.sweepAbandoned(
            olderThan: settings.minimumAge, leaseTimeout: settings.leaseTimeout)
        if let retention = settings.changeFeedRetention {
            try await store.index.pruneChanges(before: store.now() - retention.components.seconds)
        }
        return recovery
    }

    /// Sweeps every ``Settings/interval`` until the task is cancelled, telling `onSweep` what each sweep did or why
    /// it failed (a failure does not stop the loop: the next interval tries again).
    public func run(onSweep: @Sendable (Result<StoreService.Recovery, any Error>) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: settings.interval)
            } catch {
                return
            }
            do {
                onSweep(.success(try await sweepOnce()))
            } catch {
                onSweep(.failure(error))
            }
        }
    }

    /// Gives up the lease at graceful shutdown, after ``StoreService/releaseReservedKeys()``: the node is no
    /// longer live for the others, and its next start (alone) is a cluster start.
    public func leave() async throws {
        try await store.index.releaseLease()
    }
}
