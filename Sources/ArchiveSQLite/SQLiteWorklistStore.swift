import Archive
import Foundation
import GRDB

/// The worklist on the embedded SQLite database (the same file as the index, in its own tables). Each write runs
/// in one transaction, so a workitem change and the event reports it queues are durable together.
///
/// Write bodies are async (``WorklistStore``): they run on a connection of their own, in a `BEGIN IMMEDIATE`
/// transaction held across the body's calls, one body at a time in this process (``WriterGate``) and, through
/// SQLite's write lock, among processes; the index's commits wait on the busy timeout meanwhile, which a body —
/// a few statements, never a network wait — keeps short. A workitem change is moreover one conditional `UPDATE`
/// on the state and Transaction UID it was decided on (``WorklistTransaction/replace(_:expecting:)``). A read
/// body's calls each read the latest commit.
public struct SQLiteWorklistStore: WorklistStore {
    let pool: DatabasePool
    /// The connection write bodies run on: transactions span its calls (GRDB's unsafe transactions).
    let writer: DatabaseQueue
    let gate = WriterGate()

    /// The worklist in the database of `index`.
    public init(sharing index: SQLiteIndexStore) throws {
        pool = index.pool
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // A created workitem, a claim or a queued report is acknowledged after its commit: make it survive
            // power loss, as STOW commits do.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        writer = try DatabaseQueue(path: index.pool.path, configuration: config)
    }

    public func write<T: Sendable>(
        _ body: @escaping @Sendable (any WorklistTransaction) async throws -> T
    ) async throws -> T {
        await gate.acquire()
        let writer = self.writer
        // BEGIN, COMMIT and ROLLBACK run whether or not the request was cancelled meanwhile: a transaction left
        // open would refuse every later write on this connection.
        func uncancelled(_ sql: String) async throws {
            try await Task.detached { try await writer.writeWithoutTransaction { try $0.execute(sql: sql) } }.value
        }
        do {
            try await uncancelled("BEGIN IMMEDIATE")
        } catch {
            await gate.release()
            throw error
        }
        do {
            let value = try await body(SQLiteWorklistTransaction(connection: .writer(writer)))
            try await uncancelled("COMMIT")
            await gate.release()
            return value
        } catch {
            try? await uncancelled("ROLLBACK")
            await gate.release()
            throw error
        }
    }

    public func read<T: Sendable>(
        _ body: @escaping @Sendable (any WorklistTransaction) async throws -> T
    ) async throws -> T {
        try await body(SQLiteWorklistTransaction(connection: .reader(pool)))
    }

    public func workitemRecords(after: Int64?, count: Int) async throws -> [FlatRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT pk, attributes FROM workitem WHERE pk > ? ORDER BY pk LIMIT ?",
                arguments: [after ?? Int64.min, max(0, count)]
            ).map { FlatRecord(position: $0["pk"], attributes: [UInt8]($0["attributes"] as Data)) }
        }
    }

    public func queuedEvents(for aeTitle: String, limit: Int) async throws -> [UPSQueuedEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, json FROM ups_event WHERE ae_title = ? ORDER BY id LIMIT ?",
                arguments: [aeTitle, limit]
            ).map { UPSQueuedEvent(id: $0["id"], json: [UInt8]($0["json"] as Data)) }
        }
    }

    public func removeEvents(_ ids: [Int64], for aeTitle: String) async throws {
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM ups_event WHERE ae_title = ? AND id = ?")
            for id in ids { try statement.execute(arguments: [aeTitle, id]) }
        }
    }
}

/// Lets one write body at a time run on the worklist's connection, in arrival order.
actor WriterGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Waits for the gate, then holds it.
    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the gate to the next waiter, or opens it.
    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

/// One transaction's view of the worklist tables: every call runs its statements on the transaction's
/// connection (the writer, inside its open transaction; or the pool's readers).
struct SQLiteWorklistTransaction: WorklistTransaction {
    enum Connection {
        case writer(DatabaseQueue)
        case reader(DatabasePool)
    }

    let connection: Connection

    private func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        switch connection {
        case .writer(let queue): try await queue.writeWithoutTransaction(work)
        case .reader(let pool): try await pool.read(work)
        }
    }

    func workitem(_ uid: String) async throws -> Workitem? {
        try await run { db in
            try Row.fetchOne(
                db, sql: "SELECT uid, transaction_uid, attributes FROM workitem WHERE uid = ?", arguments: [uid]
            ).map(Self.workitem)
        }
    }

    static func workitem(_ row: Row) -> Workitem {
        Workitem(
            uid: row["uid"], attributes: AttributeCodec.decode([UInt8](row["attributes"] as Data)),
            transactionUID: row["transaction_uid"])
    }

    func insert(_ workitem: Workitem) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO workitem(uid, transaction_uid, state, attributes) VALUES (?, ?, ?, ?)",
                arguments: [
                    workitem.uid, workitem.transactionUID, workitem.state.rawValue,
                    Data(AttributeCodec.encode(workitem.attributes)),
                ])
            return db.changesCount == 1
        }
    }

    func replace(_ workitem: Workitem, expecting expected: Workitem) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE workitem SET transaction_uid = ?, state = ?, attributes = ?
                    WHERE uid = ? AND state = ? AND transaction_uid IS ?
                    """,
                arguments: [
                    workitem.transactionUID, workitem.state.rawValue, Data(AttributeCodec.encode(workitem.attributes)),
                    workitem.uid, expected.state.rawValue, expected.transactionUID,
                ])
            return db.changesCount == 1
        }
    }

    /// Workitems read per statement while iterating.
    static let batchSize = 256

    func forEachWorkitem(_ body: (Workitem) throws -> Bool) async throws {
        var after = Int64.min
        while true {
            let from = after
            let batch = try await run { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT pk, uid, transaction_uid, attributes FROM workitem WHERE pk > ? ORDER BY pk LIMIT ?",
                    arguments: [from, Self.batchSize]
                ).map { (pk: $0["pk"] as Int64, workitem: Self.workitem($0)) }
            }
            for row in batch where try !body(row.workitem) { return }
            guard batch.count == Self.batchSize, let last = batch.last else { return }
            after = last.pk
        }
    }

    func subscribers(of uid: String) async throws -> [String] {
        try await run { db in
            try String.fetchAll(
                db, sql: "SELECT ae_title FROM ups_subscription WHERE target = ? ORDER BY ae_title", arguments: [uid])
        }
    }

    func worklistSubscriptions() async throws -> [UPSSubscription] {
        try await run { db in try Self.subscriptions(db, where: "target IN (?, ?)", [Self.global, Self.filtered]) }
    }

    func subscriptions(of aeTitle: String) async throws -> [UPSSubscription] {
        try await run { db in try Self.subscriptions(db, where: "ae_title = ?", [aeTitle]) }
    }

    func subscribedAETitles() async throws -> [String] {
        try await run { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT ae_title FROM ups_subscription ORDER BY ae_title")
        }
    }

    func removeUnlockedSubscriptions(of uid: String) async throws {
        try await run { db in
            try db.execute(
                sql: "DELETE FROM ups_subscription WHERE target = ? AND deletion_lock = 0", arguments: [uid])
        }
    }

    private static func subscriptions(
        _ db: Database, where condition: String, _ arguments: StatementArguments
    ) throws -> [UPSSubscription] {
        try Row.fetchAll(
            db, sql: "SELECT ae_title, target, filter, deletion_lock FROM ups_subscription WHERE \(condition)",
            arguments: arguments
        ).map { row in
            let target: String = row["target"]
            let kind: UPSSubscription.Target =
                switch target {
                case Self.global: .global
                case Self.filtered: .filtered(row["filter"] ?? "")
                default: .workitem(target)
                }
            return UPSSubscription(aeTitle: row["ae_title"], target: kind, deletionLock: row["deletion_lock"])
        }
    }

    /// The `target` column of the two global kinds: their well-known UIDs (PS3.4 §CC.2.3.1).
    static let global = UPSTag.globalSubscriptionUID
    static let filtered = UPSTag.filteredSubscriptionUID

    static func column(_ target: UPSSubscription.Target) -> (String, String?) {
        switch target {
        case .workitem(let uid): (uid, nil)
        case .global: (global, nil)
        case .filtered(let query): (filtered, query)
        }
    }

    func put(_ subscriptions: [UPSSubscription]) async throws {
        let rows = subscriptions.map { ($0, Self.column($0.target)) }
        try await run { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO ups_subscription(ae_title, target, filter, deletion_lock) VALUES (?, ?, ?, ?)
                    ON CONFLICT(ae_title, target) DO UPDATE SET filter = excluded.filter,
                        deletion_lock = excluded.deletion_lock
                    """)
            for (subscription, (target, filter)) in rows {
                try statement.execute(arguments: [subscription.aeTitle, target, filter, subscription.deletionLock])
            }
        }
    }

    func remove(aeTitle: String, target: UPSSubscription.Target) async throws -> Bool {
        let column = Self.column(target).0
        return try await run { db in
            try db.execute(
                sql: "DELETE FROM ups_subscription WHERE ae_title = ? AND target = ?", arguments: [aeTitle, column])
            return db.changesCount > 0
        }
    }

    func enqueue(_ reports: [(json: [UInt8], aeTitle: String)], limit: Int) async throws {
        let reports = reports.map { (json: Data($0.json), aeTitle: $0.aeTitle) }
        try await run { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO ups_event(ae_title, json) VALUES (?, ?)")
            for report in reports { try insert.execute(arguments: [report.aeTitle, report.json]) }
            let trim = try db.cachedStatement(
                sql: """
                    DELETE FROM ups_event WHERE ae_title = ?1 AND id <= (
                        SELECT id FROM ups_event WHERE ae_title = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)
                    """)
            for aeTitle in Set(reports.map(\.aeTitle)) { try trim.execute(arguments: [aeTitle, limit]) }
        }
    }
}
