import ArgumentParser
import LanternServer
import NIOCore

/// The configuration keys of ``ConnectionLimits`` (timeouts in seconds, fractions allowed; counts and sizes
/// as whole numbers), read like every other key of `lantern serve`.
enum ConnectionSettings {
    /// The keys, also read from `LANTERN_*` environment variables.
    static let keys = [
        "idle-timeout", "header-timeout", "body-timeout", "send-timeout", "max-connections", "max-uri-bytes",
        "max-header-bytes", "max-header-count",
    ]

    /// Applies the keys present in `settings` to `limits`; a value out of range is a usage error.
    static func apply(_ settings: [String: String], to limits: inout ConnectionLimits) throws {
        if let v = settings["idle-timeout"] { limits.idleTimeout = try seconds(v, "idle-timeout") }
        if let v = settings["header-timeout"] { limits.headerTimeout = try seconds(v, "header-timeout") }
        if let v = settings["body-timeout"] { limits.bodyTimeout = try seconds(v, "body-timeout") }
        if let v = settings["send-timeout"] { limits.sendTimeout = try seconds(v, "send-timeout") }
        if let v = settings["max-connections"] {
            limits.maxConnections = try count(v, "max-connections", 1...1_000_000)
        }
        if let v = settings["max-uri-bytes"] { limits.maxURIBytes = try count(v, "max-uri-bytes", 256...16 << 20) }
        if let v = settings["max-header-bytes"] {
            limits.maxHeaderBytes = try count(v, "max-header-bytes", 1024...16 << 20)
        }
        if let v = settings["max-header-count"] { limits.maxHeaderCount = try count(v, "max-header-count", 8...65_534) }
    }

    /// A positive number of seconds, at most a day.
    private static func seconds(_ text: String, _ key: String) throws -> TimeAmount {
        guard let value = Double(text), value > 0, value <= 86_400 else {
            throw ValidationError("invalid \(key) \(text): seconds, more than 0 and at most 86400")
        }
        return .nanoseconds(Int64(value * 1_000_000_000))
    }

    private static func count(_ text: String, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError(
                "invalid \(key) \(text): a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
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
