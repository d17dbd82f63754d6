import DICOMBinary

/// How a ``DICOMwebClient`` reaches a server: the service root, credentials and TLS settings.
public struct ClientConfiguration: Sendable {
    /// The service root, e.g. `http://127.0.0.1:8080/dicomweb` (PS3.18 §8.2: the base of every resource path),
    /// without a trailing slash.
    public var serviceRoot: String
    /// Credentials sent in the `Authorization` header of every request.
    public var authorization: Authorization?
    /// TLS settings for `https` service roots.
    public var tls: TLSOptions
    /// Seconds to wait for a connection.
    public var connectTimeoutSeconds: Int64
    /// Seconds a response may stay silent before the request fails.
    public var readTimeoutSeconds: Int64
    /// The most connections kept open to the server.
    public var maximumConnections: Int

    /// Creates a configuration; a trailing `/` on `serviceRoot` is dropped.
    public init(
        serviceRoot: String, authorization: Authorization? = nil, tls: TLSOptions = TLSOptions(),
        connectTimeoutSeconds: Int64 = 10, readTimeoutSeconds: Int64 = 300, maximumConnections: Int = 8
    ) {
        var root = serviceRoot
        while root.hasSuffix("/") { root.removeLast() }
        self.serviceRoot = root
        self.authorization = authorization
        self.tls = tls
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.maximumConnections = maximumConnections
    }
}

/// Credentials for the `Authorization` header (RFC 6750 bearer tokens, RFC 7617 basic).
public enum Authorization: Sendable, Hashable {
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// `Authorization: Basic base64(user:password)`.
    case basic(user: String, password: String)

    /// The header value.
    public var headerValue: String {
        switch self {
        case .bearer(let token): return "Bearer \(token)"
        case .basic(let user, let password):
            return "Basic \(Base64StreamEncoder.encode(Array("\(user):\(password)".utf8)))"
        }
    }
}

/// TLS settings for `https` service roots.
public struct TLSOptions: Sendable, Hashable {
    /// A PEM file of certificate authorities to trust instead of the system's.
    public var caCertificatePath: String?
    /// Skip certificate verification (for test servers with self-signed certificates only).
    public var insecure: Bool

    /// Creates TLS options.
    public init(caCertificatePath: String? = nil, insecure: Bool = false) {
        self.caCertificatePath = caCertificatePath
        self.insecure = insecure
    }
}
