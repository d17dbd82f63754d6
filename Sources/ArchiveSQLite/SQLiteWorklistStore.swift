import Archive
import Foundation
import GRDB

/// The worklist on the embedded SQLite database (the same file as the index, in its own tables). Each write runs
/// in one transaction, so a workitem change and the event reports it queues are durable together. SQLite has one
/// writer: write bodies are serialized (serializable isolation), and a workitem change is moreover one
/// conditional `UPDATE` on the state and Transaction UID it was decided on (``WorklistTransaction/replace(_:expecting:)``).
public struct SQLiteWorklistStore: WorklistStore {
    let pool: DatabasePool

    /// The worklist in the database of `index`.
    public init(sharing index: SQLiteIndexStore) { pool = index.pool }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any WorklistTransaction) throws -> T) async throws -> T
    {
        try await pool.writeWithoutTransaction { db in
            // A created workitem, a claim or a queued report is acknowledged after this commit: make it survive
            // power loss, as STOW commits do.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            var value: T?
            try db.inTransaction {
                value = try body(SQLiteWorklistTransaction(db: db))
                return .commit
            }
            guard let value else { throw ArchiveError(.storage, "the worklist transaction returned nothing") }
            return value
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any WorklistTransaction) throws -> T) async throws -> T {
        try await pool.read { db in try body(SQLiteWorklistTransaction(db: db)) }
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

/// One transaction's view of the worklist tables.
struct SQLiteWorklistTransaction: WorklistTransaction {
    let db: Database

    func workitem(_ uid: String) throws -> Workitem? {
        try Row.fetchOne(
            db, sql: "SELECT uid, transaction_uid, attributes FROM workitem WHERE uid = ?", arguments: [uid]
        )
        .map(Self.workitem)
    }

    static func workitem(_ row: Row) -> Workitem {
        Workitem(
            uid: row["uid"], attributes: AttributeCodec.decode([UInt8](row["attributes"] as Data)),
            transactionUID: row["transaction_uid"])
    }

    func insert(_ workitem: Workitem) throws -> Bool {
        try db.execute(
            sql: "INSERT OR IGNORE INTO workitem(uid, transaction_uid, state, attributes) VALUES (?, ?, ?, ?)",
            arguments: [
                workitem.uid, workitem.transactionUID, workitem.state.rawValue,
                Data(AttributeCodec.encode(workitem.attributes)),
            ])
        return db.changesCount == 1
    }

    func replace(_ workitem: Workitem, expecting expected: Workitem) throws -> Bool {
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

    func forEachWorkitem(_ body: (Workitem) throws -> Bool) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT uid, transaction_uid, attributes FROM workitem ORDER BY pk")
        while let row = try rows.next() {
            if try !body(Self.workitem(row)) { return }
        }
    }

    func subscribers(of uid: String) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT ae_title FROM ups_subscription WHERE target = ? ORDER BY ae_title", arguments: [uid])
    }

    func worklistSubscriptions() throws -> [UPSSubscription] {
        try subscriptions(where: "target IN (?, ?)", [Self.global, Self.filtered])
    }

    func subscriptions(of aeTitle: String) throws -> [UPSSubscription] {
        try subscriptions(where: "ae_title = ?", [aeTitle])
    }

    func subscribedAETitles() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT ae_title FROM ups_subscription ORDER BY ae_title")
    }

    func removeUnlockedSubscriptions(of uid: String) throws {
        try db.execute(sql: "DELETE FROM ups_subscription WHERE target = ? AND deletion_lock = 0", arguments: [uid])
    }

    private func subscriptions(where condition: String, _ arguments: StatementArguments) throws -> [UPSSubscription] {
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

    func put(_ subscription: UPSSubscription) throws {
        let (target, filter) = Self.column(subscription.target)
        try db.execute(
            sql: """
                INSERT INTO ups_subscription(ae_title, target, filter, deletion_lock) VALUES (?, ?, ?, ?)
                ON CONFLICT(ae_title, target) DO UPDATE SET filter = excluded.filter,
                    deletion_lock = excluded.deletion_lock
                """, arguments: [subscription.aeTitle, target, filter, subscription.deletionLock])
    }

    func remove(aeTitle: String, target: UPSSubscription.Target) throws -> Bool {
        try db.execute(
            sql: "DELETE FROM ups_subscription WHERE ae_title = ? AND target = ?",
            arguments: [aeTitle, Self.column(target).0])
        return db.changesCount > 0
    }

    func enqueue(_ json: [UInt8], for aeTitle: String, limit: Int) throws {
        try db.cachedStatement(sql: "INSERT INTO ups_event(ae_title, json) VALUES (?, ?)").execute(arguments: [
            aeTitle, Data(json),
        ])
        try db.cachedStatement(
            sql: """
                DELETE FROM ups_event WHERE ae_title = ?1 AND id <= (
                    SELECT id FROM ups_event WHERE ae_title = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)
                """
        ).execute(arguments: [aeTitle, limit])
    }
}
