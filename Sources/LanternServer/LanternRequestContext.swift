import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of the server: Hummingbird's core storage (which holds the per-request `logger`,
/// tagged with the request id), the connection, which a response that fails mid-stream closes (see
/// ``AbortOnBodyFailureMiddleware``), the ``Identity`` the request acts for, and the WebSocket handler a
/// router-based upgrade hands back (the UPS-RS event channel, ``EventChannel``).
public struct LanternRequestContext: RequestContext, WebSocketRequestContext {
    /// Core storage.
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    public let channel: any Channel
    /// Who the request acts for; set by ``IdentityMiddleware`` before any route runs.
    public var identity: Identity = .anonymous
    /// Where a WebSocket route leaves its handler for the upgrade (hummingbird-websocket's router upgrade).
    public let webSocket: WebSocketHandlerReference<LanternRequestContext>

    /// Creates a context.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        webSocket = .init()
    }
}

/// Closes the connection when a streamed response body fails after its head was sent, so that a client
/// never sees a truncated body end like a complete one (a chunked body would otherwise be terminated
/// normally, and a body with Content-Length would leave the client waiting).
struct AbortOnBodyFailureMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: LanternRequestContext,
        next: (Request, LanternRequestContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        let body = response.body
        let channel = context.channel
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
            } catch {
                channel.close(mode: .all, promise: nil)
                throw error
            }
        }
        return response
    }
}
