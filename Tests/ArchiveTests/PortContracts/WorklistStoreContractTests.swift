import DICOMCore
import Foundation
import Testing

@testable import Archive

/// The `WorklistStore` contract, written against the port and run on every adapter: a claim is a compare-and-set
/// on the workitem's state and Transaction UID, so of concurrent claims (requests, or nodes sharing the database)
/// exactly one wins.
@Suite struct WorklistStoreContractTests {
    static func scheduled(_ uid: String) -> Workitem {
        Workitem(uid: uid, attributes: WorklistServiceTests.workitem(), transactionUID: nil)
    }

    static func claimed(_ workitem: Workitem, by transaction: String) -> Workitem {
        var claimed = workitem
        claimed.transactionUID = transaction
        claimed.attributes.set(.text(Tag.procedureStepState, .CS, ProcedureStepState.inProgress.rawValue))
        return claimed
    }

    @Test(
        "A write body that throws or is cancelled changes nothing, and the next write works",
        arguments: IndexAdapter.allCases)
    func failedWritesRollBack(_ adapter: IndexAdapter) async throws {
        struct Refused: Error {}
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let store = try shared.openWorklist("a")
        await #expect(throws: Refused.self) {
            try await store.write { transaction in
                _ = try await transaction.insert(Self.scheduled("1.2.60"))
                throw Refused()
            }
        }
        #expect(try await store.read { try await $0.workitem("1.2.60") } == nil)
        let started = AsyncStream<Void>.makeStream()
        let pending = Task {
            try await store.write { transaction in
                _ = try await transaction.insert(Self.scheduled("1.2.61"))
                started.continuation.yield()
                try await Task.sleep(for: .seconds(60))
            }
        }
        for await _ in started.stream { break }
        pending.cancel()
        await #expect(throws: CancellationError.self) { try await pending.value }
        #expect(try await store.read { try await $0.workitem("1.2.61") } == nil)
        // Another connection to the database writes too: no transaction was left open.
        #expect(try await shared.openWorklist("b").write { try await $0.insert(Self.scheduled("1.2.62")) })
        #expect(try await store.write { try await $0.insert(Self.scheduled("1.2.63")) })
    }

    @Test("Workitem records page in creation order by position", arguments: IndexAdapter.allCases)
    func recordsPage(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let store = try shared.openWorklist("a")
        let uids = (0..<7).map { "1.2.50.\($0)" }
        for uid in uids {
            let item = Workitem(uid: uid, attributes: WorklistServiceTests.workitem(uid), transactionUID: nil)
            #expect(try await store.write { try await $0.insert(item) })
        }
        var seen: [String] = []
        var after: Int64?
        while true {
            let batch = try await store.workitemRecords(after: after, count: 3)
            #expect(batch.count <= 3)
            seen += batch.map { AttributeCodec.decode($0.attributes).string(Tag.procedureStepLabel) ?? "" }
            guard let last = batch.last else { break }
            #expect(after.map { last.position > $0 } ?? true)
            after = last.position
        }
        #expect(seen == uids)
        #expect(try await store.workitemRecords(after: nil, count: 0).isEmpty)
    }

    @Test(
        "Insert once, read back, replace only from the state and Transaction UID expected",
        arguments: IndexAdapter.allCases)
    func compareAndSet(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let store = try shared.openWorklist("a")
        let item = Self.scheduled("1.2.40")
        #expect(try await store.write { try await $0.insert(item) })
        #expect(try await !store.write { try await $0.insert(item) }, "a second insert of one UID is refused")
        #expect(try await store.read { try await $0.workitem("1.2.40") } == item)
        let claim = Self.claimed(item, by: "1.9.1")
        #expect(try await store.write { try await $0.replace(claim, expecting: item) })
        // Decided on the SCHEDULED workitem, which is no longer what is stored: refused, nothing changes.
        #expect(try await !store.write { try await $0.replace(Self.claimed(item, by: "1.9.2"), expecting: item) })
        #expect(try await store.read { try await $0.workitem("1.2.40") }?.transactionUID == "1.9.1")
        #expect(
            try await !store.write { try await $0.replace(claim, expecting: Self.scheduled("1.2.41")) },
            "no such workitem")
    }

    @Test(
        "Concurrent claims of one workitem from several nodes' connections: exactly one wins",
        arguments: IndexAdapter.allCases)
    func concurrentClaimsOnTheStore(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let item = Self.scheduled("1.2.42")
        #expect(try await shared.openWorklist("a").write { try await $0.insert(item) })
        let stores = try (0..<8).map { try shared.openWorklist("node-\($0)") }
        // Every claimant decided on the same read (the SCHEDULED workitem), as writers on several nodes would.
        let seen = try #require(try await stores[0].read { try await $0.workitem("1.2.42") })
        let winners = try await withThrowingTaskGroup(of: String?.self) { group in
            for (n, store) in stores.enumerated() {
                group.addTask {
                    let transaction = "1.9.\(n)"
                    let won = try await store.write {
                        try await $0.replace(Self.claimed(seen, by: transaction), expecting: seen)
                    }
                    return won ? transaction : nil
                }
            }
            return try await group.reduce(into: [String]()) { if let w = $1 { $0.append(w) } }
        }
        #expect(winners.count == 1)
        #expect(try await stores[3].read { try await $0.workitem("1.2.42") }?.transactionUID == winners.first)
    }

    @Test(
        "Concurrent claims through the worklist service: one succeeds, the others are refused as UPS errors",
        arguments: IndexAdapter.allCases)
    func concurrentClaimsThroughTheService(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let services = try (0..<6).map {
            WorklistService(store: try shared.openWorklist("node-\($0)"), hub: UPSEventHub())
        }
        _ = try await services[0].create(WorklistServiceTests.workitem(), uid: "1.2.43")
        let outcomes = await withTaskGroup(of: String.self) { group in
            for (n, service) in services.enumerated() {
                group.addTask {
                    do {
                        _ = try await service.changeState(
                            "1.2.43", request: WorklistServiceTests.stateRequest("IN PROGRESS", "1.9.\(n)"))
                        return "claimed 1.9.\(n)"
                    } catch let error as UPSError {
                        // Another claimant's Transaction UID holds it (400), or it changed meanwhile (409).
                        return error.kind == .notFound ? "not found" : "refused"
                    } catch {
                        return "failed: \(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        let winners = outcomes.filter { $0.hasPrefix("claimed") }
        #expect(winners.count == 1)
        #expect(outcomes.filter { $0 == "refused" }.count == services.count - 1, "\(outcomes)")
        let stored = try await shared.openWorklist("check").read { try await $0.workitem("1.2.43") }
        #expect(winners.first == stored?.transactionUID.map { "claimed " + $0 })
    }
}
