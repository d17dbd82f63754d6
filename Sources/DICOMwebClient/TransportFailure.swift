import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One plain sentence for a request that got no answer, instead of the transport library's own text
/// ("connection reset (error set): Connection refused (errno: 111)", "HTTPClientError.invalidURL").
enum TransportFailure {
    /// The sentence for `error`, raised while sending `method` to `url`.
    static func sentence(_ error: any Error, method: String, url: String) -> String {
        let place = hostAndPort(url)
        if let ioError = error as? IOError ?? (error as? NIOConnectionError).flatMap(firstIOError) {
            switch ioError.errnoCode {
            case ECONNREFUSED:
                return "cannot connect to \(place): connection refused — is `lantern serve` (or the server) running?"
            case ECONNRESET, EPIPE:
                return "the connection to \(place) was reset during \(method) \(url)"
            case EHOSTUNREACH, ENETUNREACH:
                return "cannot reach \(place): no route to the host"
            default:
                return "cannot connect to \(place): \(String(cString: strerror(ioError.errnoCode)))"
            }
        }
        if let connection = error as? NIOConnectionError, connection.dnsAError != nil || connection.dnsAAAAError != nil
        {
            return "cannot resolve the host name of \(place)"
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .invalidURL, .emptyHost, .emptyScheme:
                return "\(url) is not a usable URL (expected http://host:port/path or https://…)"
            case .connectTimeout: return "cannot connect to \(place): no answer within the connect timeout"
            case .readTimeout: return "\(place) stopped answering during \(method) \(url) (read timeout)"
            case .deadlineExceeded: return "\(method) \(url) took longer than allowed"
            case .remoteConnectionClosed: return "\(place) closed the connection during \(method) \(url)"
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return "TLS with \(place) failed: \(error) (see --cacert, or --insecure for test servers)"
        }
        return "\(method) \(url) failed: \(error)"
    }

    private static func firstIOError(_ error: NIOConnectionError) -> IOError? {
        error.connectionErrors.lazy.compactMap { $0.error as? IOError }.first
    }

    /// `host:port` of `url`, or the URL itself when it has none.
    static func hostAndPort(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix(while: { $0 != "/" && $0 != "?" })
        if authority.contains(":") || authority.hasPrefix("[") { return String(authority) }
        return authority + (url.hasPrefix("https") ? ":443" : ":80")
    }
}
