/// Who a request acts for, as established by ``IdentityMiddleware`` before any route runs.
///
/// Every request is anonymous today. The fields are where authentication (API keys, OIDC bearer tokens,
/// client certificates) will put what it establishes, and what a per-route permission check reads; the
/// value is small and `Sendable` so that it travels in ``LanternRequestContext`` and into WebSocket
/// handlers.
public struct Identity: Sendable, Hashable, CustomStringConvertible {
    /// How an identity was established.
    public enum AuthenticationMethod: String, Sendable, Hashable {
        /// No credentials were presented or required.
        case anonymous
        /// An API key (``APIKeys``) sent as a Bearer token.
        case apiKey = "api-key"
        /// Credentials were presented and are not valid (an unknown or revoked key): every route that needs a
        /// permission answers 401 `invalid_token`.
        case invalid
    }

    /// The authenticated principal (a user or client id from a token or key), `nil` when anonymous.
    public var subject: String?
    /// The roles granted to the subject; the permission of a route is checked against them.
    public var roles: Set<String>
    /// How the identity was established.
    public var method: AuthenticationMethod

    /// An identity made of its parts.
    public init(subject: String?, roles: Set<String>, method: AuthenticationMethod) {
        self.subject = subject
        self.roles = roles
        self.method = method
    }

    /// The identity of a request that presented no credentials.
    public static let anonymous = Identity(subject: nil, roles: [], method: .anonymous)

    /// The identity of every request when authentication is off (`auth = none`): anonymous, allowed everything.
    public static let anonymousWithEveryPermission = Identity(
        subject: nil, roles: Permission.allRoles, method: .anonymous)

    /// The identity of a request whose credentials are not valid.
    public static let invalid = Identity(subject: nil, roles: [], method: .invalid)

    /// Whether no principal is known.
    public var isAnonymous: Bool { subject == nil }

    /// The method and, when known, the subject: what the request log shows (never patient data).
    public var description: String {
        subject.map { "\(method.rawValue):\($0)" } ?? method.rawValue
    }
}
