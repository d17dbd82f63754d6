import DICOMCore
import Logging
import NIOCore

#if canImport(Glibc)
    import Glibc  // time(2): the wall clock of Stored At
#elseif canImport(Darwin)
    import Darwin
#endif

/// Stores instances (PS3.18 §10.5 STOW-RS; equally usable by a DIMSE C-STORE later, ARCHITECTURE §2 rule 2).
///
/// Safety: an instance's blob key is journaled before any byte is written, its bytes are durable before its
/// index row is committed, and the row is what makes it visible. A crash at any point leaves either a
/// complete, visible instance or journaled bytes that ``recover()`` removes at the next start. Durability is
/// paid once per batch (``commit(_:)``): one file-system flush and one index transaction for every instance of
/// a request, shared with the requests committing at the same time (``GroupCommitter``).
public struct StoreService: Sendable {
    /// The index.
    public let index: any IndexStore
    /// The blobs.
    public let blobs: any BlobStore
    /// What to do with a second instance under a stored SOP Instance UID.
    public let duplicates: DuplicatePolicy
    /// What to do with an instance whose study is stored with another patient.
    public let patientConflicts: PatientConflictPolicy
    /// Shares flushes and index transactions among concurrent commits.
    let committer: GroupCommitter
    /// Hands out blob keys journaled ahead, a batch per index transaction.
    let keys: BlobKeyReserve

    /// Creates the service.
    public init(
        index: any IndexStore, blobs: any BlobStore, duplicates: DuplicatePolicy = .acceptIdentical,
        patientConflicts: PatientConflictPolicy = .reject
    ) {
        self.index = index
        self.blobs = blobs
        self.duplicates = duplicates
        self.patientConflicts = patientConflicts
        self.committer = GroupCommitter(index: index, blobs: blobs)
        self.keys = BlobKeyReserve(index: index)
    }

    func now() -> Int64 { Int64(time(nil)) }

    /// Starts storing one instance in `target`.
    public func begin(_ target: IngestTarget) -> InstanceIngest {
        InstanceIngest(service: self, target: target)
    }

    /// Starts storing one instance in the studies. `expectedStudy` is the study of the target resource
    /// (`POST /studies/{study}`), which every instance must belong to.
    public func begin(expectedStudy: String?) -> InstanceIngest {
        begin(.studies(study: expectedStudy))
    }

    /// What recovery found.
    public struct Recovery: Sendable, Equatable {
        /// Journaled keys with bytes under them and no instance: uploads an earlier run did not finish (a
        /// crash, a kill, a power loss) or blobs of replaced and deleted instances it had not yet removed.
        public var removedBlobs = 0
        /// Journaled keys with nothing under them: keys reserved ahead and never used.
        public var releasedKeys = 0
        /// Creates a report.
        public init(removedBlobs: Int = 0, releasedKeys: Int = 0) {
            self.removedBlobs = removedBlobs
            self.releasedKeys = releasedKeys
        }
    }

    /// Removes the journaled blobs that no committed instance references of this node's earlier
    /// runs (``JournalScope/earlierRuns``), and unowned ones (of replaced and deleted instances). Call at start,
    /// before serving. Safe while other nodes write to the same index: their entries are never taken here (they
    /// are left to ``JournalSweeper``, once their node holds no live lease). The node id must be unique among the
    /// live nodes (the default `<hostname>:<port>` is, as the port is bound); on one data folder `DataFolderLock`
    /// also keeps a second process away from the folder. Scratch files are the ``ScratchSpace``'s to sweep.
    public func recover() async throws -> Recovery {
        try await sweep(.earlierRuns)
    }

    /// Removes the journaled blobs of nodes that hold no live lease (no heartbeat within `leaseTimeout`), journaled
    /// at least `age` ago and referenced by no instance: what a node that stopped without recovering (a crash, a
    /// node id that changed) left behind. Never the blobs of a live node, which may be uploading under them.
    public func sweepAbandoned(olderThan age: Duration, leaseTimeout: Duration) async throws -> Recovery {
        let orphans = try await index.takeAbandonedJournal(olderThan: age, leaseTimeout: leaseTimeout)
        return try await remove(orphans)
    }

    /// Releases the keys this run journaled and did not use. Call at graceful shutdown, once every request has
    /// ended, so that the next start has nothing to recover.
    public func releaseReservedKeys() async throws -> Recovery {
        try await sweep(.thisRun)
    }

    private func sweep(_ scope: JournalScope) async throws -> Recovery {
        try await remove(try await index.takeJournal(scope))
    }

    /// Removes the blobs of journal entries taken, then the entries.
    private func remove(_ orphans: [BlobKey]) async throws -> Recovery {
        var recovery = Recovery()
        for key in orphans {
            if try await blobs.remove(key) { recovery.removedBlobs += 1 } else { recovery.releasedKeys += 1 }
        }
        try await index.clearJournal(orphans)
        return recovery
    }

    func writeSidecars(_ key: BlobKey, _ analysis: InstanceAnalysis) async throws {
        try await blobs.write(
            key, kind: .metadata, bytes: MetadataSidecar.encode(json: analysis.metadataJSON, xml: analysis.metadataXML))
    }

    /// Makes prepared instances durable and visible together (group commit: one flush of the blobs, one index
    /// transaction), applying the duplicate policy. Returns one outcome per instance, in order.
    public func commit(_ prepared: [PreparedInstance]) async -> [StoreOutcome] {
        var outcomes: [StoreOutcome] = prepared.map {
            let i = $0.record.instance
            var outcome = StoreOutcome(sopClassUID: i.sopClassUID, sopInstanceUID: i.sopInstanceUID)
            if let category = $0.category {
                outcome.category = category
            } else {
                outcome.studyUID = i.studyUID
                outcome.seriesUID = i.seriesUID
            }
            return outcome
        }
        var commits: [(index: Int, item: IndexCommit)] = []
        for (n, item) in prepared.enumerated() {
            let instance = item.record.instance
            do {
                let existing: StoredInstance? =
                    if let category = item.category {
                        try await index.nonPatientInstance(sopInstanceUID: instance.sopInstanceUID).map {
                            guard $0.category == category else {
                                throw ArchiveError(
                                    .conflict, "SOP Instance UID already stored in \($0.category.rawValue)")
                            }
                            return $0.instance
                        }
                    } else {
                        try await index.instance(sopInstanceUID: instance.sopInstanceUID)
                    }
                if let existing {
                    if existing.studyUID != instance.studyUID || existing.seriesUID != instance.seriesUID {
                        throw ArchiveError(.conflict, "SOP Instance UID already stored in another study or series")
                    }
                    switch duplicates {
                    case .reject:
                        throw ArchiveError(.conflict, "an instance with this SOP Instance UID is already stored")
                    case .overwrite:
                        commits.append(
                            (
                                n,
                                IndexCommit(
                                    record: item.record, replacing: existing, category: item.category,
                                    patientConflicts: patientConflicts)
                            ))
                    case .acceptIdentical:
                        guard try await sameBytes(existing.blobKey, instance.blobKey) else {
                            throw ArchiveError(
                                .conflict, "an instance with this SOP Instance UID and different content is stored")
                        }
                        await discard(instance.blobKey)
                    }
                } else {
                    commits.append(
                        (
                            n,
                            IndexCommit(
                                record: item.record, replacing: nil, category: item.category,
                                patientConflicts: patientConflicts)
                        ))
                }
            } catch let error as ArchiveError where error.code == .conflict {
                await discard(instance.blobKey)
                outcomes[n].failure = .duplicateSOPInstance
                outcomes[n].comment = error.message
            } catch {
                ArchiveLog.logger.error(
                    "an instance could not be prepared for the index", metadata: ["error": ArchiveLog.describe(error)])
                await discard(instance.blobKey)
                outcomes[n].failure = .processingFailure
                outcomes[n].comment = "storage failed: \(error)"
            }
        }
        guard !commits.isEmpty else { return outcomes }
        do {
            let results = try await committer.commit(commits.map(\.item))
            for ((n, item), result) in zip(commits, results) {
                if let refusal = result.refusal {
                    await discard(item.record.instance.blobKey)
                    outcomes[n].failure =
                        refusal.code == .patientConflict ? .patientConflict : .duplicateSOPInstance
                    outcomes[n].comment = refusal.message
                    continue
                }
                if let warning = result.patientConflictWarning {
                    outcomes[n].warning = StoreOutcome.patientConflictWarning
                    outcomes[n].comment = warning
                }
                if let replaced = item.replacing { await discard(replaced.blobKey) }
            }
        } catch {
            ArchiveLog.logger.error(
                "a group commit failed: its instances are refused",
                metadata: ["instances": "\(commits.count)", "error": ArchiveLog.describe(error)])
            for (n, item) in commits {
                await discard(item.record.instance.blobKey)
                outcomes[n].failure = error is ArchiveError ? .processingFailure : .outOfResources
                outcomes[n].comment = "storage failed: \(error)"
            }
        }
        return outcomes
    }

    /// Removes a journaled blob that is not (or no longer) referenced.
    func discard(_ key: BlobKey) async {
        do {
            try await blobs.remove(key)
            try await index.clearJournal([key])
        } catch {
            // Left in the journal: the next recover() or sweep removes it.
            ArchiveLog.logger.warning(
                "a discarded blob stays journaled until the next sweep", metadata: ["error": ArchiveLog.describe(error)]
            )
        }
    }

    /// Whether two stored instances have the same bytes, compared in bounded chunks.
    func sameBytes(_ a: BlobKey, _ b: BlobKey) async throws -> Bool {
        guard let ha = try await blobs.open(a, kind: .instance),
            let hb = try await blobs.open(b, kind: .instance)
        else { return false }
        guard ha.size == hb.size else { return false }
        var offset: UInt64 = 0
        while offset < ha.size {
            let n = Int(min(UInt64(1 << 20), ha.size - offset))
            let x = try await ha.read(at: offset, count: n)
            let y = try await hb.read(at: offset, count: n)
            if x != y { return false }
            offset += UInt64(n)
        }
        return true
    }

    /// Deletes what `selection` addresses: index rows first (in one transaction), then the blobs.
    /// Throws ``ArchiveError/Code/notFound`` when nothing matches.
    public func delete(_ selection: InstanceSelection) async throws {
        let keys = try await index.delete(selection)
        guard !keys.isEmpty else { throw ArchiveError(.notFound, "nothing stored under that resource") }
        // The rows are gone, so the instances are; the blobs are journaled, so what fails here is swept later.
        var failures = 0
        for key in keys {
            do { try await blobs.remove(key) } catch { failures += 1 }
        }
        do { try await index.clearJournal(keys) } catch { failures += 1 }
        if failures > 0 {
            ArchiveLog.logger.warning(
                "deleted instances: some blobs stay journaled until the next sweep",
                metadata: ["failures": "\(failures)"])
        }
    }
}
