import ArchiveSQLite
import DICOMBinary
import DICOMCore
import DICOMJSON
import Foundation
import Testing

@testable import Archive

/// The worklist service on the SQLite adapter: the state table of PS3.4 Table CC.1.1-2, subscriptions and the
/// event queue (the HTTP side is tested end to end in Tests/e2e/test_ups.py).
@Suite struct WorklistServiceTests {
    static func service(queue: Int = 10_000) throws -> (WorklistService, String) {
        let folder = NSTemporaryDirectory() + "lantern-ups-" + BlobKey.random().rawValue
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let index = try SQLiteIndexStore(path: folder + "/index.sqlite")
        let service = WorklistService(
            store: try SQLiteWorklistStore(sharing: index), hub: UPSEventHub(), maximumQueuedEvents: queue)
        return (service, folder)
    }

    static func workitem(_ label: String = "CT") -> DataSet {
        DataSet([
            .text(Tag.procedureStepState, .CS, "SCHEDULED"),
            .text(Tag.scheduledProcedureStepPriority, .CS, "LOW"),
            .text(Tag.procedureStepLabel, .LO, label),
            .text(Tag.scheduledProcedureStepStartDateTime, .DT, "20261207"),
            .text(Tag.inputReadinessState, .CS, "READY"),
        ])
    }

    static func stateRequest(_ state: String, _ transaction: String) -> DataSet {
        DataSet([.text(Tag.procedureStepState, .CS, state), .text(Tag.transactionUID, .UI, transaction)])
    }

    static func events(_ service: WorklistService, _ ae: String) async throws -> [(UInt16?, String?)] {
        let queued = try await service.queuedEvents(for: ae)
        try await service.acknowledge(queued, for: ae)
        return try queued.map {
            let report = try DICOMJSONDecoder.decode($0.json)
            return (report.int(Tag.eventTypeID).map(UInt16.init), report.string(Tag.procedureStepState))
        }
    }

    @Test("The state table: claim, refuse wrong transitions, complete once requirements are met")
    func stateTable() async throws {
        let (service, folder) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await service.create(Self.workitem(), uid: "1.2.3")
        try await service.subscribe("WATCH", to: .workitem("1.2.3"), deletionLock: false)
        func fails(_ state: String, _ tx: String, _ kind: UPSError.Kind) async {
            do {
                _ = try await service.changeState("1.2.3", request: Self.stateRequest(state, tx))
                Issue.record("\(state) with \(tx) was accepted")
            } catch let error as UPSError {
                #expect(error.kind == kind, "\(state) with \(tx): \(error)")
            } catch {
                Issue.record(error)
            }
        }
        await fails("COMPLETED", "1.9", .conflict)
        _ = try await service.changeState("1.2.3", request: Self.stateRequest("IN PROGRESS", "1.9"))
        await fails("IN PROGRESS", "1.9", .conflict)
        await fails("IN PROGRESS", "1.8", .invalid)
        await fails("COMPLETED", "1.9", .conflict)  // final state requirements not met
        await fails("SCHEDULED", "1.9", .conflict)
        _ = try await service.changeState("1.2.3", request: Self.stateRequest("CANCELED", "1.9"))
        let again = try await service.changeState("1.2.3", request: Self.stateRequest("CANCELED", "1.9"))
        #expect(again.warnings == ["The UPS is already in the requested state of CANCELED."])
        let seen = try await Self.events(service, "WATCH")
        #expect(seen.map(\.0) == [1, 1, 1])
        #expect(seen.map(\.1) == ["SCHEDULED", "IN PROGRESS", "CANCELED"])
        let stored = try await service.retrieve("1.2.3")
        #expect(stored.string(Tag.transactionUID) == nil)
        #expect(
            stored[Tag.procedureStepProgressInformationSequence]?.value.items?.first?.string(
                Tag.procedureStepCancellationDateTime) != nil)
    }

    @Test("A filtered worklist subscription follows matching workitems only; the filter keeps UID lists whole")
    func filtered() async throws {
        let (service, folder) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await service.subscribe(
            "CTONLY", to: try WorklistService.target(UPSTag.filteredSubscriptionUID, filter: "ProcedureStepLabel=CT*"),
            deletionLock: false)
        _ = try await service.create(Self.workitem("CT head"), uid: "1.2.4")
        _ = try await service.create(Self.workitem("MR knee"), uid: "1.2.5")
        #expect(try await Self.events(service, "CTONLY").count == 1)
        let list = try UPSFilter.parse("SOPInstanceUID=1.2.4,1.2.5,ProcedureStepLabel=CT*")
        #expect(list.keys.count == 2)
        #expect(throws: UPSError.self) { try UPSFilter.parse("no equals sign") }
    }

    @Test("An AE that never connects keeps its newest reports only; final workitems drop unlocked subscriptions")
    func queueLimit() async throws {
        let (service, folder) = try Self.service(queue: 3)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await service.subscribe("AWAY", to: .global, deletionLock: false)
        try await service.subscribe("LOCKED", to: .global, deletionLock: true)
        for n in 1...5 { _ = try await service.create(Self.workitem("W\(n)"), uid: "1.2.9.\(n)") }
        let kept = try await service.queuedEvents(for: "AWAY")
        #expect(kept.count == 3)
        let uids = try kept.map { try DICOMJSONDecoder.decode($0.json).string(Tag.affectedSOPInstanceUID) }
        #expect(uids == ["1.2.9.3", "1.2.9.4", "1.2.9.5"])
        _ = try await service.requestCancellation("1.2.9.1", request: DataSet(), requestingAE: "X")
        await #expect(throws: UPSError.self) { try await service.unsubscribe("AWAY", from: .workitem("1.2.9.1")) }
        try await service.unsubscribe("LOCKED", from: .workitem("1.2.9.1"))
    }

    @Test("Nothing is reported as assigned when the station and performers are empty (Type 2)")
    func assignedOnlyWhenPopulated() async throws {
        let (service, folder) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await service.subscribe("ALL", to: .global, deletionLock: false)
        var empty = Self.workitem()
        empty.set(DataElement(Tag.scheduledStationNameCodeSequence, items: []))
        empty.set(DataElement(Tag.scheduledHumanPerformersSequence, items: []))
        _ = try await service.create(empty, uid: "1.2.10")
        var assigned = Self.workitem()
        assigned.set(
            DataElement(
                Tag.scheduledStationNameCodeSequence,
                items: [DataSet([.text(Tag(0x0008_0100), .SH, "ST1"), .text(Tag(0x0008_0102), .SH, "99L")])]))
        _ = try await service.create(assigned, uid: "1.2.11")
        #expect(try await Self.events(service, "ALL").map(\.0) == [1, 1, 5])
    }

    @Test("The hub wakes a waiting channel, and remembers a notification nobody waited for")
    func hub() async {
        let hub = UPSEventHub()
        await hub.notify(["A"])
        await hub.wait(for: "A")  // returns at once: a notification was pending
        async let waited: Void = hub.wait(for: "B")
        try? await Task.sleep(for: .milliseconds(50))
        await hub.notify(["B"])
        await waited
        let task = Task { await hub.wait(for: "C") }
        task.cancel()
        await task.value  // cancellation ends the wait
        // A second channel for an AE supersedes the first, and wakes it so that it sees so.
        let first = await hub.openChannel(for: "D")
        async let woken: Void = hub.wait(for: "D")
        try? await Task.sleep(for: .milliseconds(50))
        let second = await hub.openChannel(for: "D")
        await woken
        #expect(await !hub.isCurrent(first, for: "D"))
        #expect(await hub.isCurrent(second, for: "D"))
        await hub.closeChannel(first, for: "D")
        #expect(await hub.isCurrent(second, for: "D"))
    }
}
