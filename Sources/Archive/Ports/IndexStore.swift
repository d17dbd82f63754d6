import DICOMCore
import DICOMweb

/// One entity a QIDO-RS search found: its attributes at its level and above, with the computed attributes
/// (counts, modalities, availability) filled in by the index.
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

/// Whose blob journal entries recovery takes.
public enum JournalScope: Sendable {
    /// Entries of earlier runs and unowned ones (replaced or deleted instances): at start, once the process
    /// holds its data folder alone, so that no upload under them can still be in progress.
    case earlierRuns
    /// Entries this run journaled: at graceful shutdown, once every request has ended (unused reserved keys).
    case thisRun
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
    /// with this store's owner (one per process run) and the time.
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

    /// The instances a selection addresses, in series then instance order; empty when none.
    func instances(_ selection: InstanceSelection) async throws -> [StoredInstance]

    /// Deletes the selection's rows in one transaction, journaling their blob keys; returns those keys.
    func delete(_ selection: InstanceSelection) async throws -> [BlobKey]

    /// Runs a QIDO-RS search: entities of `query.level` in the index's stable order (storage order), which
    /// match every key of the query, skipping `query.offset` and returning at most `limit` matches.
    /// `hasMore` tells whether more matches exist beyond the last one returned.
    func search(
        _ query: QIDOQuery, limit: Int, matches: @escaping @Sendable (DataSet) -> Bool
    ) async throws -> (matches: [SearchMatch], hasMore: Bool)

    /// The stored non-patient instance with this SOP Instance UID (PS3.18 §12), with its category.
    func nonPatientInstance(
        sopInstanceUID: String
    ) async throws -> (category: NonPatientCategory, instance: StoredInstance)?

    /// The attributes of the non-patient instances of `category` that `matches` accepts, in storage order:
    /// the page after `offset` of at most `limit`, and how many more match.
    func searchNonPatient(
        _ category: NonPatientCategory, offset: Int, limit: Int, matches: @escaping @Sendable (DataSet) -> Bool
    ) async throws -> SearchPage<DataSet>
}
