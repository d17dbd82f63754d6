import LanternServer

/// The rows of the configuration table (``ServeSettings``) that set ``ConnectionLimits``: timeouts in seconds
/// (fractions allowed), counts and sizes as whole numbers (docs/server.md "Limits and timeouts").
enum ConnectionSettings {
    /// The connection limits, in the order of the reference table.
    static let rows: [ServeSetting] = [
        .seconds(
            "idle-timeout", help: "Wait for the first byte of a request (new or keep-alive connection), then close.",
            apply: { $1.server.connections.idleTimeout = $0 }, current: { $0.server.connections.idleTimeout }),
        .seconds(
            "header-timeout", help: "From a request's first byte to the end of its head; 408 and close beyond.",
            apply: { $1.server.connections.headerTimeout = $0 }, current: { $0.server.connections.headerTimeout }),
        .seconds(
            "body-timeout",
            help:
                "Longest wait for the next piece of a request body while the server is ready to read it; 408 and close beyond.",
            apply: { $1.server.connections.bodyTimeout = $0 }, current: { $0.server.connections.bodyTimeout }),
        .seconds(
            "send-timeout", help: "Longest time an answer may stay blocked on a client that does not read; then close.",
            apply: { $1.server.connections.sendTimeout = $0 }, current: { $0.server.connections.sendTimeout }),
        .integer(
            "max-connections", 1...1_000_000,
            help: "Connections open at once (lowered to fit the open-file limit); one more is answered 503 and closed.",
            apply: { $1.server.connections.maxConnections = $0 }, current: { $0.server.connections.maxConnections }),
        .integer(
            "max-uri-bytes", 256...16 << 20, valueName: "bytes", help: "Longest request line; 414 and close beyond.",
            apply: { $1.server.connections.maxURIBytes = $0 }, current: { $0.server.connections.maxURIBytes }),
        .integer(
            "max-header-bytes", 1024...16 << 20, valueName: "bytes",
            help: "Most bytes of header fields (and of any one field); 431 and close beyond.",
            apply: { $1.server.connections.maxHeaderBytes = $0 }, current: { $0.server.connections.maxHeaderBytes }),
        .integer(
            "max-header-count", 8...65_534, help: "Most header fields per request; 431 and close beyond.",
            apply: { $1.server.connections.maxHeaderCount = $0 }, current: { $0.server.connections.maxHeaderCount }),
    ]
}

#if canImport(Glibc)
    import Glibc
#endif

extension ConnectionSettings {
    /// Descriptors kept for the index, blobs being read or written and the listening socket, on top of one per
    /// connection.
    static let reservedDescriptors = 256

    /// Raises the soft limit on open descriptors to the hard limit (many systems start servers at 1,024) and
    /// returns the connection cap that fits under it: `requested`, or fewer when the descriptors would run out
    /// first (accepting would then fail for everyone instead of answering 503 to one).
    static func fitDescriptorLimit(_ requested: Int) -> Int {
        #if canImport(Glibc)
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return requested }
            if limit.rlim_cur < limit.rlim_max {
                var raised = limit
                raised.rlim_cur = limit.rlim_max
                if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
            }
            let available = Int(clamping: limit.rlim_cur) - reservedDescriptors
            return max(1, min(requested, available))
        #else
            return requested
        #endif
    }
}
