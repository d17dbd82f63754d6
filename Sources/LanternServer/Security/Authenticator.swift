import Archive
import HTTPTypes
import Hummingbird

/// Establishes who a request acts for (``IdentityMiddleware``), by the server's ``AuthenticationMode``.
///
/// With `api-key`, the key comes from `Authorization: Bearer <key>`, or, on a WebSocket upgrade only (a browser
/// cannot set headers there), from the `access_token` query parameter (RFC 6750 §2.3). It is looked up by its
/// SHA-256 in the ``CredentialStore`` on every request, so a revocation takes effect at once on every node.
/// A request without credentials is anonymous with no permission; one with a key that is unknown or revoked is
/// ``Identity/invalid``. Neither fails here: the route decides (a probe needs no permission), inside the
/// logged part of the chain.
public struct Authenticator: Sendable {
    /// The mode.
    public let mode: AuthenticationMode
    /// Where keys are looked up (`api-key`).
    public let credentials: (any CredentialStore)?
    /// Whether a key may come in the `access_token` query parameter: only on the router of WebSocket upgrades,
    /// never on ordinary requests (URLs end up in proxy logs and `Referer` headers).
    let allowsQueryToken: Bool

    /// Authentication off: every caller may do everything.
    public static let none = Authenticator(mode: .none, credentials: nil)

    /// An authenticator of `mode` over `credentials`.
    public init(mode: AuthenticationMode, credentials: (any CredentialStore)?) {
        self.init(mode: mode, credentials: credentials, allowsQueryToken: false)
    }

    init(mode: AuthenticationMode, credentials: (any CredentialStore)?, allowsQueryToken: Bool) {
        self.mode = mode
        self.credentials = credentials
        self.allowsQueryToken = allowsQueryToken
    }

    /// The same authenticator for the WebSocket upgrade router, where `access_token` is accepted.
    var forWebSocketUpgrades: Authenticator {
        Authenticator(mode: mode, credentials: credentials, allowsQueryToken: true)
    }

    func identify(_ request: Request) async throws -> Identity {
        guard mode == .apiKey else { return .anonymousWithEveryPermission }
        // Fails closed: API keys required and nowhere to check them lets nobody in.
        guard let credentials else { return .anonymous }
        guard let token = Self.token(request, allowingQuery: allowsQueryToken) else { return .anonymous }
        guard let record = try await credentials.apiKey(hash: APIKeys.hash(token)), record.revokedAt == nil else {
            return .invalid
        }
        return Identity(subject: record.name, roles: record.roles, method: .apiKey)
    }

    /// Whether `identity`, established earlier, still holds: its key is not revoked and still grants
    /// `permission`. For a connection that outlives its request (the event channel); `true` when keys are off.
    func stillAllows(_ identity: Identity, _ permission: Permission) async -> Bool {
        guard mode == .apiKey else { return true }
        guard identity.method == .apiKey, let name = identity.subject, let credentials,
            let record = try? await credentials.apiKey(name: name)
        else { return false }
        return record.revokedAt == nil && record.roles.contains(permission.rawValue)
    }

    /// The Bearer token of the request, if any.
    static func token(_ request: Request, allowingQuery: Bool) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return String(parts[1]).trimmingCharacters(in: .whitespaces)
            }
            return nil
        }
        if allowingQuery, request.headers[.upgrade]?.lowercased() == "websocket",
            let token = request.uri.queryParameters["access_token"].map(String.init), !token.isEmpty
        {
            return token
        }
        return nil
    }
}
