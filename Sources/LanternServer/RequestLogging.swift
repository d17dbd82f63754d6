import Archive
import HTTPTypes
import Hummingbird
import Logging

/// Establishes the ``Identity`` of every request before any route runs (``Authenticator``), and tags the request's
/// logger with it (`lantern.identity`), so that every line a handler logs says who it acted for. It sits behind
/// ``CORSHeaders``, so that preflights never need credentials and refusals carry CORS headers; each route then
/// checks its permission (``Authorization``).
struct IdentityMiddleware: RouterMiddleware {
    let authenticator: Authenticator

    func handle(
        _ request: Request, context: LanternRequestContext,
        next: (Request, LanternRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        do {
            context.identity = try await authenticator.identify(request)
        } catch {
            // Fails closed, and said: a 503 (with CORS headers, as an HTTP error) and a log line.
            context.logger.error(
                "credentials cannot be checked: the credential store does not answer",
                metadata: ["error.type": .string(String(describing: type(of: error)))])
            throw DICOMwebError(.serviceUnavailable, "credentials cannot be checked now; try again later")
        }
        context.logger[metadataKey: "lantern.identity"] = .stringConvertible(context.identity)
        return try await next(request, context)
    }
}

/// Gives every request a logger carrying its request id (`hb.request.id`: Hummingbird's for HTTP requests, a
/// new one for WebSocket upgrades, which Hummingbird routes without one), and logs one line per answered
/// request: method, route template, status and duration — at `error` for a 5xx, else at `debug`. The archive's
/// services log to the same logger while the handler runs (``ArchiveLog``).
///
/// No request target, query or header is logged: they hold UIDs and patient attributes (a QIDO-RS query
/// names the patient). The route template (`/dicomweb/studies/{study}`) says what was asked without them.
struct RequestLogMiddleware: RouterMiddleware {
    /// The metadata key Hummingbird keeps the request id under (`RequestContext.id` reads it).
    static let requestIDKey = "hb.request.id"
    /// The level of the line of a request answered below 500 (`access-log = true`: `info`, else `debug`).
    var answeredLevel = Logger.Level.debug

    /// The request id a client or proxy sent (`X-Request-ID`), when it is 1 to 128 letters, digits, `.`, `-`,
    /// `_` or `:`; anything else is ignored (it would go into every log line of the request).
    static func clientRequestID(_ request: Request) -> String? {
        guard let value = request.headers[.requestID], SafeToken.matches(value, maxLength: 128, punctuation: ".-_:")
        else { return nil }
        return value
    }

    func handle(
        _ request: Request, context: LanternRequestContext,
        next: (Request, LanternRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let id = Self.clientRequestID(request) {
            context.logger[metadataKey: Self.requestIDKey] = .string(id)
        } else if context.logger[metadataKey: Self.requestIDKey] == nil {
            context.logger[metadataKey: Self.requestIDKey] = .stringConvertible(RequestID())
        }
        let start = ContinuousClock.now
        do {
            var response = try await ArchiveLog.$logger.withValue(context.logger) {
                try await next(request, context)
            }
            log(request, context, status: response.status, since: start, error: nil)
            // The id the request's log lines carry, for the client to quote.
            if let id = context.logger[metadataKey: Self.requestIDKey] { response.headers[.requestID] = "\(id)" }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            log(request, context, status: status, since: start, error: error)
            throw error
        }
    }

    private func log(
        _ request: Request, _ context: LanternRequestContext, status: HTTPResponse.Status,
        since start: ContinuousClock.Instant,
        error: (any Error)?
    ) {
        let level: Logger.Level = status.code >= 500 ? .error : answeredLevel
        guard context.logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - start
        var metadata: Logger.Metadata = [
            "http.method": .string(request.method.rawValue),
            "http.route": .string(context.endpointPath ?? "-"),
            "http.status": .stringConvertible(status.code),
            "duration_ms": .stringConvertible(
                Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15),
        ]
        // The type only: messages may quote UIDs or attribute values.
        if let error { metadata["error.type"] = .string(String(describing: type(of: error))) }
        context.logger.log(level: level, "request answered", metadata: metadata)
    }
}

extension LanternApplication {
    /// The one middleware chain of every route, outermost first — added to the HTTP router and to the router
    /// of WebSocket upgrades alike, so that the event channel, WADO-URI and the capabilities pass through the
    /// same steps as the DICOMweb resources:
    /// 1. ``AbortOnBodyFailureMiddleware``: a response body that fails mid-stream closes the connection.
    /// 2. ``CORSHeaders``: preflights are answered here, without credentials; every answer (refusals too)
    ///    carries `Access-Control-Allow-Origin`.
    /// 3. ``IdentityMiddleware``: who the request acts for (authentication, later).
    /// 4. ``RequestLogMiddleware``: the request id and the per-request log line.
    /// 5. ``ErrorMappingMiddleware``: archive and negotiation errors become HTTP statuses.
    /// 6. ``ContinueOnBodyReadMiddleware``: `100 Continue` only once the route reads the body.
    static func addMiddleware(
        to router: Router<LanternRequestContext>, authenticator: Authenticator, accessLog: Bool = false
    ) {
        router.add(middleware: AbortOnBodyFailureMiddleware())
        router.add(middleware: CORSHeaders())
        router.add(middleware: IdentityMiddleware(authenticator: authenticator))
        router.add(middleware: RequestLogMiddleware(answeredLevel: accessLog ? .info : .debug))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMappingMiddleware())
        router.add(middleware: ContinueOnBodyReadMiddleware())
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`: a request id chosen by the client or a proxy, carried into the log lines and echoed.
    static let requestID = HTTPField.Name("X-Request-ID")!
}
