import DICOMCore
import DICOMweb

/// One entity a search found (``QueryService``): its attributes at its level and above, with the computed
/// attributes (counts, modalities, availability).
public struct SearchMatch: Sendable {
    /// The entity's attributes, ready to be filtered to the requested return keys.
    public var attributes: DataSet
    /// Study, series and instance UIDs of the entity (series / instance `nil` above their level).
    public var studyUID: String
    /// Series Instance UID, for series and instances.
    public var seriesUID: String?
    /// SOP Instance UID, for instances.
    public var sopInstanceUID: String?

    /// Creates a match.
    public init(attributes: DataSet, studyUID: String, seriesUID: String?, sopInstanceUID: String?) {
        self.attributes = attributes
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.sopInstanceUID = sopInstanceUID
    }
}

/// One instance to make visible: its record, and the stored instance it replaces (`nil` for a new one).
public struct IndexCommit: Sendable {
    /// The new instance.
    public var record: InstanceRecord
    /// What it replaces, as read before the commit.
    public var replacing: StoredInstance?
    /// The non-patient category it belongs to (PS3.18 §12), `nil` for the studies.
    public var category: NonPatientCategory?
    /// What to do when the instance's study is stored with another patient, decided inside the commit
    /// transaction (so that two concurrent instances of different patients cannot both start a new study).
    public var patientConflicts: PatientConflictPolicy
    /// Creates an item.
    public init(
        record: InstanceRecord, replacing: StoredInstance?, category: NonPatientCategory? = nil,
        patientConflicts: PatientConflictPolicy = .reject
    ) {
        self.record = record
        self.replacing = replacing
        self.category = category
        self.patientConflicts = patientConflicts
    }
}

/// What ``IndexStore/commit(_:)`` did with one item.
public struct IndexCommitResult: Sendable {
    /// Why the item was not committed: ``ArchiveError/Code/conflict`` (its SOP Instance UID is stored elsewhere,
    /// or a concurrent writer won) or ``ArchiveError/Code/patientConflict``; `nil` when it was committed.
    public var refusal: ArchiveError?
    /// Committed, but its study belongs to another patient (``PatientConflictPolicy/accept``): what to tell.
    public var patientConflictWarning: String?

    /// Committed without remark.
    public static let committed = IndexCommitResult()

    /// Creates a result.
    public init(refusal: ArchiveError? = nil, patientConflictWarning: String? = nil) {
        self.refusal = refusal
        self.patientConflictWarning = patientConflictWarning
    }
}

/// Whose blob journal entries recovery takes. Entries are owned by a node (its node id) and a run of it.
public enum JournalScope: Sendable {
    /// Entries of this node's earlier runs and unowned ones (replaced or deleted instances, garbage whoever finds
    /// them): at start. Never another node's entries, which may belong to an upload in progress there; those are
    /// left to ``IndexStore/takeAbandonedJournal(olderThan:leaseTimeout:)`` once their node holds no live lease.
    case earlierRuns
    /// Entries this run journaled: at graceful shutdown, once every request has ended (unused reserved keys).
    case thisRun
}

/// A node's lease on a shared index: it renews the lease while it runs, so that the other nodes know its journal
/// entries may belong to uploads in progress (ARCHITECTURE §13, scale-out).
public struct NodeLease: Sendable, Hashable {
    /// The node id (unique among the nodes sharing the index; by default `<hostname>:<port>`).
    public var nodeID: String
    /// The run of the node that holds the lease (one per process start).
    public var runID: String
    /// When that run took the lease, in seconds since 1970.
    public var startedAt: Int64
    /// When it last renewed it, in seconds since 1970.
    public var heartbeatAt: Int64
    /// Creates a lease.
    public init(nodeID: String, runID: String, startedAt: Int64, heartbeatAt: Int64) {
        self.nodeID = nodeID
        self.runID = runID
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
    }
}

/// Which stored instances a retrieve or delete addresses.
public enum InstanceSelection: Hashable, Sendable {
    /// Every instance of a study.
    case study(String)
    /// Every instance of a series of a study.
    case series(study: String, series: String)
    /// One instance.
    case instance(study: String, series: String, sop: String)
}

/// The archive's index: what is stored, searchable by attributes (ARCHITECTURE §5). Adapters: SQLite
/// (embedded default); PostgreSQL later. Implementations commit every change atomically.
public protocol IndexStore: Sendable {
    /// The stored instance with this SOP Instance UID, in any study.
    func instance(sopInstanceUID: String) async throws -> StoredInstance?

    /// Records `keys` as possibly orphaned before any of their bytes are written, so that a crash before
    /// ``commit(_:)`` is cleaned up by ``takeJournal(_:)``. One transaction for all of them. Each key is marked
    /// with this store's node id and run, and the time.
    func journal(_ keys: [BlobKey]) async throws

    /// Makes a batch of instances visible in one durable transaction (group commit). For each: inserts its rows
    /// (replacing `replacing`'s, whose blob key goes to the journal for deletion), updates study and series
    /// aggregates and clears its journal entry. An item fails alone, with ``ArchiveError/Code/conflict``, when
    /// its SOP Instance UID is stored under another study or series, or when `replacing` no longer matches
    /// what is stored (a concurrent writer won). An instance whose study is stored with another patient
    /// (``PatientConflictPolicy``) fails with ``ArchiveError/Code/patientConflict`` under `reject`, or is
    /// committed with a warning under `accept` without changing the study's patient attributes. Returns one
    /// result per item.
    func commit(_ batch: [IndexCommit]) async throws -> [IndexCommitResult]

    /// Journal entries of `scope` whose blobs are not referenced by any instance (to delete), after removing
    /// the entries of blobs that are referenced.
    func takeJournal(_ scope: JournalScope) async throws -> [BlobKey]

    /// Forgets journal entries once their blobs are deleted.
    func clearJournal(_ keys: [BlobKey]) async throws

    /// Journal entries journaled at least `age` ago whose owner holds no live lease (no heartbeat within
    /// `leaseTimeout`), and unowned ones of that age, whose blobs no instance references (to delete), after
    /// removing the entries of blobs that are referenced. Entries of a node with a live lease are never taken,
    /// whatever their age: its uploads may be in progress.
    func takeAbandonedJournal(olderThan age: Duration, leaseTimeout: Duration) async throws -> [BlobKey]

    /// Renews this store's node lease (taking it, with this run and start time, at the first call of a run), and
    /// returns the other nodes whose lease was live (heartbeat within `leaseTimeout`) just before, decided in the
    /// same transaction: of several nodes starting at once, exactly one sees none.
    @discardableResult
    func renewLease(leaseTimeout: Duration) async throws -> [NodeLease]

    /// The nodes whose lease was renewed within `leaseTimeout`, this one included, by node id.
    func liveNodes(leaseTimeout: Duration) async throws -> [NodeLease]

    /// Gives up this run's lease (graceful shutdown): the node is no longer live for the others.
    func releaseLease() async throws

    /// Returns when the index answers a trivial read; throws when it cannot (a readiness probe).
    func ping() async throws

    /// The change feed after entry `sequence` (from the start with 0), in order, at most `limit`. The entries of a
    /// commit or a delete are written in the same transaction as the change itself, so the feed has no gap and
    /// never names a change that did not happen.
    func changes(after sequence: Int64, limit: Int) async throws -> [ChangeRecord]

    /// The newest entry of the change feed; `nil` while it is empty.
    func latestChange() async throws -> ChangeRecord?

    /// Removes the change feed entries committed before `timestamp` (seconds since 1970); sequence numbers are
    /// never reused.
    func pruneChanges(before timestamp: Int64) async throws

    /// The instances a selection addresses, in series then instance order; empty when none.
    func instances(_ selection: InstanceSelection) async throws -> [StoredInstance]

    /// Deletes the selection's rows in one transaction, journaling their blob keys; returns those keys.
    func delete(_ selection: InstanceSelection) async throws -> [BlobKey]

    /// Runs a ``QueryPlan`` (built by ``QueryService``): the entities of `plan.level` that satisfy every one of
    /// `plan.conditions` (and lie at one of `plan.positions` when given), in `plan.order`, after `plan.after`,
    /// skipping `plan.offset` and at most `plan.limit`, each with the indexed values `plan.indexedValues` lists
    /// and — unless `plan.includesAttributes` is off (a light candidate, decided on its indexed values first) —
    /// its attribute sets and its study's and series' aggregates. The adapter translates the plan; it never
    /// decides matching beyond the conditions.
    func candidates(_ plan: QueryPlan) async throws -> [IndexCandidate]

    /// The stored non-patient instance with this SOP Instance UID (PS3.18 §12), with its category.
    func nonPatientInstance(
        sopInstanceUID: String
    ) async throws -> (category: NonPatientCategory, instance: StoredInstance)?

    /// The non-patient instances of `category` after position `after` (from the start when `nil`), in storage
    /// order, at most `count`: what ``QueryService/search(_:limit:records:)`` matches.
    func nonPatientRecords(_ category: NonPatientCategory, after: Int64?, count: Int) async throws -> [FlatRecord]
}
