import NIOCore

/// The limits that keep one client from holding the server: how long a connection may sit idle or take to send
/// a request, how many may be open, how large a request head may be (README "Configuration",
/// docs/server.md "Limits and timeouts").
public struct ConnectionLimits: Sendable {
    /// Longest wait for the first byte of a request on an open connection (a new one, or between keep-alive
    /// requests); the connection is then closed. Config key `idle-timeout`.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// Longest time from the first byte of a request to the end of its head (408 beyond, then close): bounds
    /// slow-header ("slowloris") clients. Config key `header-timeout`.
    public var headerTimeout: TimeAmount = .seconds(20)
    /// Longest pause between two pieces of a request body (408 when no response has started, then close).
    /// Config key `body-timeout`.
    public var bodyTimeout: TimeAmount = .seconds(60)
    /// Longest time a response may stay blocked on a client that does not read it; the connection is then
    /// closed. Config key `send-timeout`.
    public var sendTimeout: TimeAmount = .seconds(120)
    /// How long a connection that is closing after an early answer (a 413 or 415 to a request whose body was not
    /// read) keeps reading and discarding the body, so that the client sees the answer rather than a reset.
    public var lingerTimeout: TimeAmount = .seconds(5)
    /// Most connections open at once; one more is answered 503 and closed. Config key `max-connections`.
    public var maxConnections = 1024
    /// Longest request line (method, target, version), in bytes; 414 beyond. Config key `max-uri-bytes`.
    public var maxURIBytes = 65_536
    /// Most bytes of header fields (all of them); 431 beyond. Config key `max-header-bytes`.
    public var maxHeaderBytes = 65_536
    /// Most header fields in a request; 431 beyond. Config key `max-header-count`.
    public var maxHeaderCount = 256

    /// The defaults.
    public init() {}
}
