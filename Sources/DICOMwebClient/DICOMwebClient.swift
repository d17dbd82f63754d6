import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A DICOMweb client (PS3.18): STOW-RS, QIDO-RS and WADO-RS against any server, streaming request and
/// response bodies through bounded buffers. It shares the `DICOMweb` model (media types, the multipart codec)
/// with Lantern's server, so the two cannot drift apart.
///
/// One client holds a connection pool; call ``shutdown()`` when done.
public final class DICOMwebClient: Sendable {
    /// Where requests go and how they authenticate.
    public let configuration: ClientConfiguration
    let http: HTTPClient

    /// Creates a client. Throws when the TLS settings cannot be loaded (an unreadable CA file, say).
    public init(configuration: ClientConfiguration) throws {
        self.configuration = configuration
        var tls = TLSConfiguration.makeClientConfiguration()
        if let path = configuration.tls.caCertificatePath {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
        }
        if configuration.tls.insecure { tls.certificateVerification = .none }
        var http = HTTPClient.Configuration(
            // Redirects are not followed: credentials must not travel to another host, and a STOW body
            // cannot be sent twice. A 3xx is reported like any other status.
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(
                connect: .seconds(configuration.connectTimeoutSeconds),
                read: .seconds(configuration.readTimeoutSeconds)))
        http.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maximumConnections)
        http.decompression = .disabled
        self.http = HTTPClient(eventLoopGroup: Self.eventLoops, configuration: http)
    }

    /// One event loop carries every client's connections: a client spends its time waiting for the server,
    /// and a second loop thread only adds wake-ups on a machine whose cores the server needs (measured: the
    /// tiny-instance import at 1,326-1,356 instances/s on 1 thread and 1,293-1,329 on 2, with 1.6 s of client
    /// CPU instead of 1.7 s).
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Closes every connection. The client cannot be used afterwards.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// The URL of `path` (relative to the service root) with `query` parameters percent-encoded.
    public func url(_ path: String, query: [(String, String)] = []) -> String {
        var text = configuration.serviceRoot + (path.hasPrefix("/") ? path : "/" + path)
        if !query.isEmpty {
            text +=
                "?" + query.map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        }
        return text
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters and `*` and `,` (QIDO wildcards and
    /// lists read better unencoded and both are allowed in a query).
    static func percentEncoded(_ text: String) -> String { PercentEncoding.encode(text, allowing: "*,") }

    /// A request for `url` with the credentials and `Accept` set.
    func request(_ url: String, method: HTTPMethod = .GET, accept: String? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "lantern-client/0.1")
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let authorization = configuration.authorization {
            request.headers.add(name: "Authorization", value: authorization.headerValue)
        }
        return request
    }

    /// Sends `request`; throws ``DICOMwebClientError`` with the server's explanation unless the status is one
    /// of `accepted` (2xx by default).
    func send(
        _ request: HTTPClientRequest, accepting accepted: (Int) -> Bool = { (200..<300).contains($0) }
    ) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .hours(24))
        } catch {
            throw DICOMwebClientError(
                TransportFailure.sentence(error, method: request.method.rawValue, url: request.url))
        }
        let status = Int(response.status.code)
        guard accepted(status) else {
            let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            var explanation = Self.explanation(status: response.status, body: body, headers: response.headers)
            if status == 404, let hint = serviceRootHint() { explanation += " (\(hint))" }
            throw DICOMwebClientError(status: status, explanation)
        }
        return response
    }

    /// A hint for a 404 when the service root has no path: DICOMweb servers (Lantern's `/dicomweb`) serve
    /// under one, and a URL without it is the usual cause.
    func serviceRootHint() -> String? {
        let root = configuration.serviceRoot
        guard let schemeEnd = root.range(of: "://") else { return nil }
        let path = root[schemeEnd.upperBound...].drop(while: { $0 != "/" })
        guard path.isEmpty || path == "/" else { return nil }
        return
            "the URL \(root) has no service path: Lantern's is \(root.hasSuffix("/") ? String(root.dropLast()) : root)/dicomweb"
    }

    /// The reason phrase, the server's `Warning` header and the start of its error body on one line.
    static func explanation(status: HTTPResponseStatus, body: String, headers: HTTPHeaders) -> String {
        var parts = [status.reasonPhrase]
        parts += headers["Warning"]
        let text = body.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if !text.isEmpty { parts.append(text.count > 300 ? String(text.prefix(300)) + "…" : text) }
        return parts.joined(separator: ": ")
    }
}
