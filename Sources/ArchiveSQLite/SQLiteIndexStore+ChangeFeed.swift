import Archive
import GRDB

/// The change feed (`change_feed`, migration v10): rows written in the transaction of each commit and delete.
extension SQLiteIndexStore {
    static func recordChange(
        _ db: Database, _ action: ChangeRecord.Action, _ instance: StoredInstance, at: Int64
    )
        throws
    {
        try recordChange(
            db, action, study: instance.studyUID, series: instance.seriesUID, sop: instance.sopInstanceUID, at: at)
    }

    static func recordChange(
        _ db: Database, _ action: ChangeRecord.Action, study: String, series: String, sop: String, at: Int64
    ) throws {
        try db.cachedStatement(
            sql: "INSERT INTO change_feed(timestamp, action, study_uid, series_uid, sop_uid) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [at, action.rawValue, study, series, sop])
    }

    static let changeColumns = "sequence, timestamp, action, study_uid, series_uid, sop_uid"

    static func change(_ row: Row) -> ChangeRecord {
        ChangeRecord(
            sequence: row["sequence"], timestamp: row["timestamp"],
            action: ChangeRecord.Action(rawValue: row["action"]) ?? .create, studyUID: row["study_uid"],
            seriesUID: row["series_uid"], sopInstanceUID: row["sop_uid"])
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [ChangeRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.changeColumns) FROM change_feed WHERE sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [sequence, max(0, limit)]
            ).map(Self.change)
        }
    }

    public func pruneChanges(before timestamp: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM change_feed WHERE timestamp < ?", arguments: [timestamp])
        }
    }

    public func latestChange() async throws -> ChangeRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.changeColumns) FROM change_feed ORDER BY sequence DESC LIMIT 1")
                .map(Self.change)
        }
    }
}
