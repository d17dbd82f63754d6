import Foundation
import NIOCore
import Testing

@testable import Archive

/// The `IndexStore` contract for the blob journal and the node leases, written against the port and run on
/// every index adapter: several nodes share one index; no node's recovery or sweep removes a blob another live
/// node may be writing.
@Suite struct IndexStoreJournalContractTests {
    /// Journals a fresh key through `node` and writes a blob under it, as an upload in progress does.
    static func upload(_ node: StoreService) async throws -> BlobKey {
        let key = BlobKey.random()
        try await node.index.journal([key])
        try await node.blobs.write(key, kind: .metadata, bytes: Array("in progress".utf8))
        try await node.blobs.makeDurable()
        return key
    }

    static func exists(_ key: BlobKey, in blobs: any BlobStore) async throws -> Bool {
        try await blobs.readSmall([key], kind: .metadata)[0] != nil
    }

    @Test(
        "Start-up recovery takes this node's earlier runs only, never another node's entries",
        arguments: IndexAdapter.allCases)
    func recoveryKeepsOtherNodes(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let a = try shared.node("a")
        let aKey = try await Self.upload(a)
        let crashed = try shared.node("b")
        let bKey = try await Self.upload(crashed)
        // Node b starts again (a new run): it removes what its earlier run left, not what node a is writing.
        let restarted = try shared.node("b")
        #expect(try await restarted.recover() == StoreService.Recovery(removedBlobs: 1))
        #expect(try await !Self.exists(bKey, in: shared.blobs))
        #expect(try await Self.exists(aKey, in: shared.blobs))
        // Nor does a new node, nor node a's own run (an upload of this run may be in progress).
        #expect(try await shared.node("c").recover() == StoreService.Recovery())
        #expect(try await a.recover() == StoreService.Recovery())
        #expect(try await Self.exists(aKey, in: shared.blobs))
    }

    @Test(
        "A sweep takes old entries of nodes without a live lease, never those of a live node",
        arguments: IndexAdapter.allCases)
    func sweepTakesAbandonedOnly(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let live = try shared.node("live")
        try await live.index.renewLease(leaseTimeout: .seconds(3600))
        let liveKey = try await Self.upload(live)
        let stopped = try shared.node("stopped")
        try await stopped.index.renewLease(leaseTimeout: .seconds(3600))
        let stoppedKey = try await Self.upload(stopped)
        try await stopped.index.releaseLease()
        let sweeper = try shared.node("sweeper")
        // Too young: kept, even without a lease.
        #expect(
            try await sweeper.sweepAbandoned(olderThan: .seconds(3600), leaseTimeout: .seconds(3600))
                == StoreService.Recovery())
        #expect(try await Self.exists(stoppedKey, in: shared.blobs))
        // Old enough: the stopped node's entry goes, the live node's stays, whatever its age.
        #expect(
            try await sweeper.sweepAbandoned(olderThan: .zero, leaseTimeout: .seconds(3600))
                == StoreService.Recovery(removedBlobs: 1))
        #expect(try await !Self.exists(stoppedKey, in: shared.blobs))
        #expect(try await Self.exists(liveKey, in: shared.blobs))
        // A lease not renewed within the timeout is not live: its node's entries go too.
        #expect(
            try await sweeper.sweepAbandoned(olderThan: .zero, leaseTimeout: .zero)
                == StoreService.Recovery(removedBlobs: 1))
        #expect(try await !Self.exists(liveKey, in: shared.blobs))
    }

    @Test("A sweep racing a node's uploads and commits removes none of its blobs", arguments: IndexAdapter.allCases)
    func sweepRacingWrites(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let writer = try shared.node("writer")
        try await writer.index.renewLease(leaseTimeout: .seconds(3600))
        let sweeper = try shared.node("sweeper")
        let bytes = StoreServiceTests.corpus("CT_small.dcm")
        let (uploads, stored) = try await withThrowingTaskGroup(of: ([BlobKey], StoreOutcome?).self) { group in
            group.addTask {
                var keys: [BlobKey] = []
                for _ in 0..<40 { keys.append(try await Self.upload(writer)) }
                return (keys, nil)
            }
            group.addTask {
                var ingest = writer.begin(expectedStudy: nil)
                try await ingest.append(bytes[...])
                guard case .prepared(let prepared) = await ingest.finish() else { return ([], nil) }
                return ([], await writer.commit([prepared])[0])
            }
            group.addTask {
                for _ in 0..<40 {
                    _ = try await sweeper.sweepAbandoned(olderThan: .zero, leaseTimeout: .seconds(3600))
                    await Task.yield()
                }
                return ([], nil)
            }
            var uploads: [BlobKey] = []
            var stored: StoreOutcome?
            for try await (keys, outcome) in group {
                uploads += keys
                stored = stored ?? outcome
            }
            return (uploads, stored)
        }
        #expect(uploads.count == 40)
        for key in uploads { #expect(try await Self.exists(key, in: shared.blobs)) }
        let outcome = try #require(stored)
        #expect(outcome.failure == nil)
        let sop = try #require(outcome.sopInstanceUID)
        let instance = try #require(await writer.index.instance(sopInstanceUID: sop))
        let reader = try #require(await shared.blobs.open(instance.blobKey, kind: .instance))
        #expect(reader.size == UInt64(bytes.count))
    }

    @Test(
        "Of several nodes taking their lease at once, exactly one finds no other live node",
        arguments: IndexAdapter.allCases)
    func oneClusterStart(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let nodes = try (0..<6).map { try shared.node("node-\($0)") }
        let alone = try await withThrowingTaskGroup(of: Bool.self) { group in
            for node in nodes {
                group.addTask {
                    try await JournalSweeper(store: node, settings: .init(interval: .seconds(60))).join()
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(alone == 1)
        let live = try await nodes[0].index.liveNodes(leaseTimeout: .seconds(3600))
        #expect(live.map(\.nodeID) == (0..<6).map { "node-\($0)" })
        // A node that leaves is no longer live; one that restarts keeps its node id with a new run.
        try await nodes[5].index.releaseLease()
        #expect(try await nodes[0].index.liveNodes(leaseTimeout: .seconds(3600)).count == 5)
        let restarted = try shared.node("node-0", run: "second")
        let others = try await restarted.index.renewLease(leaseTimeout: .seconds(3600))
        #expect(others.map(\.nodeID) == (1..<5).map { "node-\($0)" }, "a node never counts itself")
        let lease = try await restarted.index.liveNodes(leaseTimeout: .seconds(3600)).first { $0.nodeID == "node-0" }
        #expect(lease?.runID == "second")
        // Once every lease timed out, the next node to start is a cluster start again.
        #expect(try await restarted.index.renewLease(leaseTimeout: .zero).isEmpty)
    }

    @Test("The sweeper refuses settings that would let a live node look stopped")
    func sweeperSettings() throws {
        let shared = try IndexAdapter.sqlite.makeShared()
        defer { shared.remove() }
        let store = try shared.node("n")
        #expect(throws: ArchiveError.self) {
            try JournalSweeper(store: store, settings: .init(interval: .seconds(60), leaseTimeout: .seconds(30)))
        }
        #expect(throws: ArchiveError.self) { try JournalSweeper(store: store, settings: .init(interval: .zero)) }
        let sweeper = try JournalSweeper(store: store)
        #expect(sweeper.settings.leaseTimeout == .seconds(180))
    }

    @Test(
        "The sweeper's loop renews the lease and sweeps every interval until cancelled",
        arguments: IndexAdapter.allCases)
    func sweeperLoop(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let stopped = try shared.node("stopped")
        let key = try await Self.upload(stopped)
        let node = try shared.node("n")
        let sweeper = try JournalSweeper(
            store: node, settings: .init(interval: .milliseconds(20), leaseTimeout: .seconds(60), minimumAge: .zero))
        let removed = Counter()
        let loop = Task { await sweeper.run { if case .success(let r) = $0 { removed.add(r.removedBlobs) } } }
        for _ in 0..<200 where removed.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        loop.cancel()
        await loop.value
        #expect(removed.value == 1)
        #expect(try await !Self.exists(key, in: shared.blobs))
        #expect(try await node.index.liveNodes(leaseTimeout: .seconds(60)).map(\.nodeID) == ["n"])
        try await sweeper.leave()
        #expect(try await node.index.liveNodes(leaseTimeout: .seconds(60)).isEmpty)
    }
}

/// A count shared with a sweeper's callback. The lock guards the value (`Mutex` needs macOS 15; the package
/// supports 14).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.withLock { count += n } }
    var value: Int { lock.withLock { count } }
}
