import Testing

@testable import Archive

/// The `CredentialStore` contract, run on every index adapter: keys found by hash only, names unique, a revocation
/// seen at once by another node.
@Suite struct CredentialStoreContractTests {
    @Test("Add, find by hash, refuse a taken name, revoke once, seen by another node", arguments: IndexAdapter.allCases)
    func lifecycle(_ adapter: IndexAdapter) async throws {
        let shared = try adapter.makeShared()
        defer { shared.remove() }
        let a = try shared.openCredentials("a")
        let b = try shared.openCredentials("b")
        let hash: [UInt8] = (0..<32).map { UInt8($0) }
        try await a.addAPIKey(name: "viewer", hash: hash, roles: ["read", "worklist"])
        let found = try #require(try await b.apiKey(hash: hash))
        #expect(found.name == "viewer" && found.roles == ["read", "worklist"] && found.revokedAt == nil)
        #expect(try await b.apiKey(hash: Array(hash.reversed())) == nil)
        await #expect(throws: ArchiveError.self) {
            try await b.addAPIKey(name: "viewer", hash: [1, 2, 3], roles: ["admin"])
        }
        #expect(try await a.apiKeys().map(\.name) == ["viewer"])
        #expect(try await b.apiKey(name: "viewer") == found)
        #expect(try await b.apiKey(name: "nobody") == nil)
        #expect(try await b.revokeAPIKey(name: "viewer"))
        #expect(try await !b.revokeAPIKey(name: "viewer"), "revoked once")
        #expect(try await a.apiKey(hash: hash)?.revokedAt != nil, "the other node sees the revocation at once")
        #expect(try await !a.revokeAPIKey(name: "nobody"))
    }
}
