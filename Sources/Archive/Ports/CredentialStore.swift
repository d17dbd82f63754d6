/// An API key as the index keeps it: never the key itself, only its SHA-256 hash (a key is 256 random bits, so
/// a fast hash is enough: there is no dictionary to try).
public struct APIKeyRecord: Sendable, Hashable {
    /// The key's name, unique: what logs and the audit trail show as the subject.
    public var name: String
    /// The roles it grants (`read`, `write`, `delete`, `worklist`, `admin`).
    public var roles: Set<String>
    /// When it was created (seconds since 1970).
    public var createdAt: Int64
    /// When it was revoked, `nil` while it is valid.
    public var revokedAt: Int64?

    /// Creates a record.
    public init(name: String, roles: Set<String>, createdAt: Int64, revokedAt: Int64?) {
        self.name = name
        self.roles = roles
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// Where the credentials the server accepts are kept (issue 18): API keys for machines, stored hashed in the
/// index beside the archive, so every node of a cluster sees the same keys and a revocation at once.
public protocol CredentialStore: Sendable {
    /// Adds a key under a new name; throws ``ArchiveError/Code/conflict`` when the name is taken.
    func addAPIKey(name: String, hash: [UInt8], roles: Set<String>) async throws
    /// The key with this hash, revoked or not; `nil` when none.
    func apiKey(hash: [UInt8]) async throws -> APIKeyRecord?
    /// The key named `name`, revoked or not; `nil` when none.
    func apiKey(name: String) async throws -> APIKeyRecord?
    /// Every key, by name.
    func apiKeys() async throws -> [APIKeyRecord]
    /// Revokes the key named `name`; `false` when there is none that is valid.
    func revokeAPIKey(name: String) async throws -> Bool
}
