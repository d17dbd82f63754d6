import Archive
import Foundation
import GRDB

/// The blob journal and the node leases (``IndexStore``): each entry is owned by a node and a run of it, each
/// node renews its lease while it runs. Every statement runs in one write transaction; SQLite has one writer, so
/// a lease renewal and a sweep are serialized with every commit.
extension SQLiteIndexStore {
    /// Now, in seconds since 1970 (the clock of the journal and the leases).
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    public func journal(_ keys: [BlobKey]) async throws {
        let (owner, run, now) = (nodeID, runID, Self.now())
        try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO blob_journal(blob_key, owner, run, journaled_at) VALUES (?, ?, ?, ?)")
            for key in keys { try statement.execute(arguments: [key.rawValue, owner, run, now]) }
        }
    }

    /// Removes the entries of blobs an instance references (committed since they were journaled).
    static func dropReferencedEntries(_ db: Database) throws {
        try db.execute(
            sql: """
                DELETE FROM blob_journal WHERE blob_key IN (SELECT blob_key FROM instance)
                    OR blob_key IN (SELECT blob_key FROM npi_instance)
                """)
    }

    public func takeJournal(_ scope: JournalScope) async throws -> [BlobKey] {
        let (owner, run) = (nodeID, runID)
        return try await pool.write { db in
            try Self.dropReferencedEntries(db)
            // Keys journaled inside a commit or a delete (replaced and deleted instances) have no owner: their
            // blobs are garbage whoever finds them. Another node's keys are never taken here.
            let condition =
                switch scope {
                case .thisRun: "owner = ? AND run = ?"
                case .earlierRuns: "owner = '' OR (owner = ? AND run <> ?)"
                }
            return try String.fetchAll(
                db, sql: "SELECT blob_key FROM blob_journal WHERE \(condition)", arguments: [owner, run]
            ).compactMap(BlobKey.init)
        }
    }

    public func clearJournal(_ keys: [BlobKey]) async throws {
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM blob_journal WHERE blob_key = ?")
            for key in keys { try statement.execute(arguments: [key.rawValue]) }
        }
    }

    public func takeAbandonedJournal(olderThan age: Duration, leaseTimeout: Duration) async throws -> [BlobKey] {
        let now = Self.now()
        let (journaledBy, liveAfter) = (now - age.components.seconds, now - leaseTimeout.components.seconds)
        return try await pool.write { db in
            try Self.dropReferencedEntries(db)
            return try String.fetchAll(
                db,
                sql: """
                    SELECT blob_key FROM blob_journal WHERE journaled_at <= ?
                        AND owner NOT IN (SELECT node_id FROM node WHERE heartbeat_at > ?)
                    """, arguments: [journaledBy, liveAfter]
            ).compactMap(BlobKey.init)
        }
    }

    static func lease(_ row: Row) -> NodeLease {
        NodeLease(
            nodeID: row["node_id"], runID: row["run_id"], startedAt: row["started_at"],
            heartbeatAt: row["heartbeat_at"])
    }

    @discardableResult
    public func renewLease(leaseTimeout: Duration) async throws -> [NodeLease] {
        let (node, run, now) = (nodeID, runID, Self.now())
        let liveAfter = now - leaseTimeout.components.seconds
        return try await pool.write { db in
            let others = try Row.fetchAll(
                db,
                sql: "SELECT * FROM node WHERE node_id <> ? AND heartbeat_at > ? ORDER BY node_id",
                arguments: [node, liveAfter]
            ).map(Self.lease)
            // A new run of the node takes its row over, with its own start time.
            try db.execute(
                sql: """
                    INSERT INTO node(node_id, run_id, started_at, heartbeat_at) VALUES (?1, ?2, ?3, ?3)
                    ON CONFLICT(node_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,
                        started_at = CASE WHEN run_id = excluded.run_id THEN started_at ELSE excluded.started_at END,
                        run_id = excluded.run_id
                    """, arguments: [node, run, now])
            return others
        }
    }

    public func liveNodes(leaseTimeout: Duration) async throws -> [NodeLease] {
        let liveAfter = Self.now() - leaseTimeout.components.seconds
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM node WHERE heartbeat_at > ? ORDER BY node_id", arguments: [liveAfter]
            ).map(Self.lease)
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func releaseLease() async throws {
        let (node, run) = (nodeID, runID)
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM node WHERE node_id = ? AND run_id = ?", arguments: [node, run])
        }
    }
}
