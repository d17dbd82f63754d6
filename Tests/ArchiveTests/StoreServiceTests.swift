import ArchiveFileSystem
import ArchiveSQLite
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import LanternTestSupport
import NIOCore
import Testing

@testable import Archive

/// The store, index and blob adapters together, on a temporary folder.
@Suite struct StoreServiceTests {
    struct Archive {
        let folder: String
        let index: SQLiteIndexStore
        let blobs: FolderBlobStore

        init() throws {
            folder = NSTemporaryDirectory() + "lantern-test-" + BlobKey.random().rawValue
            blobs = try FolderBlobStore(root: folder)
            index = try SQLiteIndexStore(path: folder + "/index.sqlite")
        }

        func store(
            _ bytes: [UInt8], policy: DuplicatePolicy = .acceptIdentical, study: String? = nil
        ) async throws
            -> StoreOutcome
        {
            let service = StoreService(index: index, blobs: blobs, duplicates: policy)
            var ingest = service.begin(expectedStudy: study)
            var i = 0
            while i < bytes.count {
                try await ingest.append(bytes[i..<min(i + 4096, bytes.count)])
                i += 4096
            }
            switch await ingest.finish() {
            case .failed(let outcome): return outcome
            case .prepared(let prepared): return await service.commit([prepared])[0]
            }
        }

        func blobCount() -> Int {
            let e = FileManager.default.enumerator(atPath: folder + "/blobs")
            var n = 0
            while let name = e?.nextObject() as? String { if name.hasSuffix(".dcm") { n += 1 } }
            return n
        }

        func remove() { try? FileManager.default.removeItem(atPath: folder) }
    }

    static func corpus(_ suffix: String) -> [UInt8] {
        Corpus.bytes(Corpus.files.first { $0.hasSuffix(suffix) }!)
    }

    @Test func storeSearchRetrieveDelete() async throws {
        let archive = try Archive()
        defer { archive.remove() }
        let bytes = Self.corpus("CT_small.dcm")
        let outcome = try await archive.store(bytes)
        #expect(outcome.isStored)
        let study = try #require(outcome.studyUID)

        let query = try QIDOQuery.parse(queryItems: [("PatientID", "1CT1")], scope: .allStudies)
        let found = try await QueryService(index: archive.index).search(query, limit: 10)
        #expect(found.matches.map(\.studyUID) == [study])
        #expect(found.matches[0].attributes.string(Tag(0x0020_1208)) == "1")

        let retrieve = RetrieveService(index: archive.index, blobs: archive.blobs)
        let instance = try #require(try await retrieve.instances(.study(study)).first)
        var back: [UInt8] = []
        try await retrieve.stream(instance, range: nil) { back += Array($0.readableBytesView) }
        #expect(back == bytes)

        try await StoreService(index: archive.index, blobs: archive.blobs).delete(.study(study))
        #expect(try await archive.index.instances(.study(study)).isEmpty)
        #expect(archive.blobCount() == 0)
    }

    @Test func duplicatePolicies() async throws {
        let archive = try Archive()
        defer { archive.remove() }
        let bytes = Self.corpus("CT_small.dcm")
        #expect(try await archive.store(bytes).isStored)
        #expect(try await archive.store(bytes).isStored, "an identical re-send is a success")
        var changed = bytes
        changed[changed.count - 1] ^= 0xFF
        let different = try await archive.store(changed)
        #expect(different.failure == .duplicateSOPInstance)
        #expect(try await archive.store(bytes, policy: .reject).failure == .duplicateSOPInstance)
        #expect(try await archive.store(changed, policy: .overwrite).isStored)
        #expect(archive.blobCount() == 1, "the replaced blob is removed")
    }

    /// Concurrent commits share flush-and-commit rounds (``GroupCommitter``); each still gets its own outcome,
    /// and the batched metadata read returns what the one-by-one read does.
    @Test func concurrentCommitsShareRounds() async throws {
        let archive = try Archive()
        defer { archive.remove() }
        let service = StoreService(index: archive.index, blobs: archive.blobs)
        let files = Array(Corpus.files.prefix(24))
        let outcomes = await withTaskGroup(of: StoreOutcome.self) { group in
            for file in files {
                group.addTask {
                    var ingest = service.begin(expectedStudy: nil)
                    do { try await ingest.append(Corpus.bytes(file)[...]) } catch {
                        await ingest.abort()
                        return StoreOutcome(sopClassUID: nil, sopInstanceUID: nil, failure: .processingFailure)
                    }
                    switch await ingest.finish() {
                    case .failed(let outcome): return outcome
                    case .prepared(let prepared): return await service.commit([prepared])[0]
                    }
                }
            }
            var all: [StoreOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let stored = outcomes.filter(\.isStored)
        #expect(stored.count >= 12)
        let retrieve = RetrieveService(index: archive.index, blobs: archive.blobs)
        var instances: [StoredInstance] = []
        for outcome in stored {
            let study = try #require(outcome.studyUID)
            let series = try #require(outcome.seriesUID)
            let sop = try #require(outcome.sopInstanceUID)
            instances += try await retrieve.instances(.instance(study: study, series: series, sop: sop))
        }
        #expect(Set(instances.map(\.sopInstanceUID)).count == Set(stored.compactMap(\.sopInstanceUID)).count)
        let batched = try await retrieve.metadata(instances, format: .json)
        for (instance, document) in zip(instances, batched) {
            #expect(try await retrieve.metadata(instance, format: .json) == document)
            #expect(!document.isEmpty)
        }
        #expect(archive.blobCount() == Set(instances.map(\.blobKey)).count)
    }

    @Test func wrongStudyAndUnreadableInputFailAlone() async throws {
        let archive = try Archive()
        defer { archive.remove() }
        let bytes = Self.corpus("CT_small.dcm")
        #expect(try await archive.store(bytes, study: "1.2.3").failure == .dataSetDoesNotMatchSOPClass)
        #expect(try await archive.store(Array(bytes.prefix(2000))).failure == .cannotUnderstand)
        #expect(try await archive.store(Array(repeating: 7, count: 300)).failure == .cannotUnderstand)
        #expect(archive.blobCount() == 0)
    }

    @Test func recoveryRemovesJournaledBlobs() async throws {
        let archive = try Archive()
        defer { archive.remove() }
        // An instance prepared and never committed: its key is journaled and its bytes written, as after a crash.
        // (An ingest abandoned before it is ready leaves nothing: a small one reserves no key until then.)
        let service = StoreService(index: archive.index, blobs: archive.blobs)
        var ingest = service.begin(expectedStudy: nil)
        try await ingest.append(Self.corpus("CT_small.dcm")[...])
        guard case .prepared = await ingest.finish() else {
            Issue.record("CT_small.dcm was not prepared")
            return
        }
        // This run's keys are not recovered while it runs: an upload may still be writing under them.
        #expect(try await service.recover() == StoreService.Recovery())
        #expect(archive.blobCount() > 0)
        // The next run (another journal owner on the same index) recovers them. Keys are journaled in batches
        // (BlobKeyReserve): the unused ones are released too, and told apart from the blob removed.
        let next = StoreService(
            index: try SQLiteIndexStore(path: archive.folder + "/index.sqlite"), blobs: archive.blobs)
        #expect(
            try await next.recover()
                == StoreService.Recovery(removedBlobs: 1, releasedKeys: BlobKeyReserve.batch - 1))
        #expect(archive.blobCount() == 0)
        #expect(try await next.recover() == StoreService.Recovery(), "the journal is empty after recovery")
    }

    @Test func gracefulShutdownReleasesUnusedKeys() async throws {
        let archive = try Archive()
        defer { archive.remove() }
        let service = StoreService(index: archive.index, blobs: archive.blobs)
        #expect(try await archive.store(Self.corpus("CT_small.dcm")).failure == nil)
        // One key used; the rest of the batch reserved ahead. Shutdown releases them without touching the blob.
        let released = try await service.releaseReservedKeys()
        #expect(released.removedBlobs == 0)
        #expect(released.releasedKeys == BlobKeyReserve.batch - 1)
        #expect(archive.blobCount() > 0)
        let next = StoreService(
            index: try SQLiteIndexStore(path: archive.folder + "/index.sqlite"), blobs: archive.blobs)
        #expect(try await next.recover() == StoreService.Recovery(), "nothing left for the next start")
    }
}
