import Archive
import Foundation
import GRDB

/// The API keys in the embedded SQLite index (table `api_key`, migration v9).
public struct SQLiteCredentialStore: CredentialStore {
    let pool: DatabasePool

    /// The credentials in the database of `index`.
    public init(sharing index: SQLiteIndexStore) { pool = index.pool }

    public func addAPIKey(name: String, hash: [UInt8], roles: Set<String>) async throws {
        let text = roles.sorted().joined(separator: ",")
        let now = SQLiteIndexStore.now()
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO api_key(name, hash, roles, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, Data(hash), text, now])
            guard db.changesCount == 1 else { throw ArchiveError(.conflict, "an API key named \(name) exists") }
        }
    }

    static func record(_ row: Row) -> APIKeyRecord {
        let roles: String = row["roles"]
        return APIKeyRecord(
            name: row["name"], roles: Set(roles.split(separator: ",").map(String.init)),
            createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }

    public func apiKey(hash: [UInt8]) async throws -> APIKeyRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT name, roles, created_at, revoked_at FROM api_key WHERE hash = ?",
                arguments: [Data(hash)]
            ).map(Self.record)
        }
    }

    public func apiKey(name: String) async throws -> APIKeyRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT name, roles, created_at, revoked_at FROM api_key WHERE name = ?", arguments: [name]
            ).map(Self.record)
        }
    }

    public func apiKeys() async throws -> [APIKeyRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, roles, created_at, revoked_at FROM api_key ORDER BY name")
                .map(Self.record)
        }
    }

    public func revokeAPIKey(name: String) async throws -> Bool {
        let now = SQLiteIndexStore.now()
        return try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_key SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [now, name])
            return db.changesCount == 1
        }
    }
}
