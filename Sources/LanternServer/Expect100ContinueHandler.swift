import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (RFC 9110 §10.1.1) with an interim `100 Continue` once the route starts
/// reading the request body, so clients that wait for it before sending a body (curl for bodies over 1 MiB,
/// many STOW clients) do not stall. Hummingbird does not do this itself (design/stack-notes.md §1).
///
/// The decision runs after the whole middleware chain and the route: a request refused whatever its body —
/// no route (404, 405), no permission (401, 403), a Content-Type the route does not take (415), a
/// Content-Length over its limit (413) — is answered before anything reads the body, so it gets no
/// `100 Continue` and the client receives the final status without sending the body.
///
/// Two parts: this channel handler, which knows whether the current request still waits for a `100` and
/// writes it in order with the response parts, and ``ContinueOnBodyReadMiddleware``, which asks for it (a
/// ``BodyWanted`` user outbound event) on the first read of the body. The handler sends no `100` once the
/// final answer has started, nor when the client sent body bytes without waiting.
final class Expect100ContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The user outbound event by which the reader of a request body asks for the `100 Continue`.
    struct BodyWanted: Sendable {}

    /// The current request expects `100-continue`, and neither a `100` nor the final answer has been sent.
    private var awaitingContinue = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            awaitingContinue = head.headerFields[.expect]?.lowercased() == "100-continue"
        case .body, .end:
            // The client sent its body without waiting (allowed, RFC 9110 §10.1.1), or there is none left.
            awaitingContinue = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data), head.status.kind != .informational {
            awaitingContinue = false
        }
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is BodyWanted else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if awaitingContinue {
            awaitingContinue = false
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        promise?.succeed()
    }
}

/// Asks ``Expect100ContinueHandler`` for the `100 Continue` of a request that expects it, at the first read of
/// its body — that is, once the middleware chain and the route have accepted the request. The last step of
/// the middleware chain (``LanternApplication/addMiddleware(to:)``); requests without the expectation pass
/// untouched.
struct ContinueOnBodyReadMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: LanternRequestContext,
        next: (Request, LanternRequestContext) async throws -> Response
    ) async throws -> Response {
        guard request.headers[.expect]?.lowercased() == "100-continue" else { return try await next(request, context) }
        var request = request
        request.body = RequestBody(asyncSequence: ContinueOnFirstRead(base: request.body, channel: context.channel))
        return try await next(request, context)
    }
}

/// A request body that sends ``Expect100ContinueHandler/BodyWanted`` down the channel before its first read.
struct ContinueOnFirstRead: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let channel: any Channel

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let channel: any Channel
        var asked = false

        mutating func next() async throws -> ByteBuffer? {
            if !asked {
                asked = true
                channel.triggerUserOutboundEvent(Expect100ContinueHandler.BodyWanted(), promise: nil)
            }
            return try await base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), channel: channel)
    }
}
