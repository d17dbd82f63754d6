import NIOCore
import NIOHTTP1

/// The HTTP-level guard of a connection, right after the request decoder: timeouts on every wait for the
/// client, final answers to malformed requests, and the end of connections that would otherwise never close.
///
/// - Waiting for a request: ``ConnectionLimits/idleTimeout`` until its first byte, then
///   ``ConnectionLimits/headerTimeout`` for the whole head (408), ``ConnectionLimits/bodyTimeout`` for each
///   piece of its body the server is ready to read (408 while no answer has started),
///   ``ConnectionLimits/sendTimeout`` while an answer is blocked on a client that does not read.
/// - A request the decoder refuses (a malformed request line or header, both Content-Length and
///   Transfer-Encoding, a negative or overflowing Content-Length, too many or too large header fields) gets
///   400 or 431 and the connection closes, instead of a silent close.
/// - An answer sent before the request body was read on a connection that closes afterwards (a 413 or 415 with
///   `Connection: close`) is followed by reading and dropping the rest for ``ConnectionLimits/lingerTimeout``,
///   then a full close: the server would otherwise wait for the client to close, one descriptor each.
///
/// A WebSocket upgrade request takes the guard out of the pipeline: the event channel is long-lived by design.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Where the connection is in its request / response cycle.
    enum Phase {
        /// Between requests: no byte of the next one yet.
        case idle
        /// Bytes of a request head have arrived, not the whole head.
        case head
        /// The head has arrived; the body is arriving.
        case body
        /// The request has been read; the answer is being made.
        case handling
        /// The answer is sent, the body was not read and the connection closes: input is dropped.
        case draining
    }

    private let limits: ConnectionLimits
    private let bytes: ConnectionByteGuard
    private var context: ChannelHandlerContext?
    private var phase = Phase.idle
    /// A final answer has started and not ended.
    private var answering = false
    /// The final answer ended before the request body did (on a connection that stays open).
    private var answeredEarly = false
    /// The connection closes after this answer (`Connection: close` either way, or HTTP/1.0).
    private var closesAfterAnswer = false
    private var timer: Scheduled<Void>?
    private var sendTimer: Scheduled<Void>?

    init(limits: ConnectionLimits, bytes: ConnectionByteGuard) {
        self.limits = limits
        self.bytes = bytes
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { arm(limits.idleTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(limits.idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    /// Called by the byte guard for every read; tells whether these bytes begin a new request.
    func bytesArrived() -> Bool {
        guard phase == .idle else { return false }
        phase = .head
        arm(limits.headerTimeout)
        return true
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            phase = .body
            answeredEarly = false
            closesAfterAnswer = !head.isKeepAlive
            if head.headers["upgrade"].contains(where: { $0.lowercased().contains("websocket") }) {
                // The UPS-RS event channel, long-lived by design (a refused upgrade is answered and closed).
                cancelTimers()
                context.fireChannelRead(data)
                bytes.requests = nil
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            arm(limits.bodyTimeout)
        case .body:
            // The clock runs again at the server's next read: while the server holds reads back (it is still
            // storing what came), the client is not the one waiting.
            if phase == .body { cancel(&timer) }
        case .end:
            if answeredEarly {
                answeredEarly = false
                phase = .idle
                arm(limits.idleTimeout)
            } else {
                phase = .handling
                cancel(&timer)
            }
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder refused the request: answer it (unless an answer is under way) and close.
        let status: HTTPResponseStatus
        let reason: String
        switch parserError {
        case .headerOverflow:
            status = .requestHeaderFieldsTooLarge
            reason =
                "the request head is too large: at most \(limits.maxHeaderCount) header fields and \(limits.maxHeaderBytes) bytes of them (max-header-count, max-header-bytes)"
        case .invalidContentLength, .unexpectedContentLength:
            status = .badRequest
            reason = "invalid Content-Length, or both Content-Length and Transfer-Encoding (RFC 9112 §6.3)"
        default:
            status = .badRequest
            reason = "malformed HTTP request (\(parserError))"
        }
        if answering {
            context.close(mode: .all, promise: nil)
        } else {
            answerAndClose(context, status: status, reason: reason)
        }
    }

    // MARK: Answers

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            // 100 Continue and other interim answers leave the request where it was.
            if head.status.code >= 200 {
                answering = true
                if !head.isKeepAlive { closesAfterAnswer = true }
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            answering = false
            context.write(data, promise: promise)
            answerEnded()
        }
    }

    private func answerEnded() {
        switch phase {
        case .handling, .head, .body:
            if closesAfterAnswer {
                // The server closes its side now and would wait for the client to close the other (and nobody
                // will read the rest of a body still arriving): drop what comes for a while, then close.
                phase = .draining
                arm(limits.lingerTimeout)
                bytes.startDraining()
            } else if phase == .handling {
                phase = .idle
                arm(limits.idleTimeout)
            } else {
                // The server reads the rest of the body before the next request; the body timeout still runs.
                answeredEarly = true
            }
        case .idle, .draining:
            break
        }
    }

    func read(context: ChannelHandlerContext) {
        if phase == .body && timer == nil { arm(limits.bodyTimeout) }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            cancel(&sendTimer)
        } else if sendTimer == nil {
            let timeout = limits.sendTimeout
            sendTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                self?.context?.close(mode: .all, promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Timers

    private func arm(_ timeout: TimeAmount) {
        cancel(&timer)
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in self?.expired() }
    }

    private func cancel(_ scheduled: inout Scheduled<Void>?) {
        scheduled?.cancel()
        scheduled = nil
    }

    private func cancelTimers() {
        cancel(&timer)
        cancel(&sendTimer)
    }

    private func expired() {
        timer = nil
        guard let context else { return }
        switch phase {
        case .head:
            answerAndClose(
                context, status: .requestTimeout,
                reason: "the request head did not arrive within the header timeout (header-timeout)")
        case .body where !answering && !answeredEarly:
            answerAndClose(
                context, status: .requestTimeout,
                reason: "the request body stalled for longer than the body timeout (body-timeout)")
        case .idle, .body, .draining:
            context.close(mode: .all, promise: nil)
        case .handling:
            break
        }
    }

    /// Writes a final plain-text answer through the response encoder, then closes the connection.
    private func answerAndClose(_ context: ChannelHandlerContext, status: HTTPResponseStatus, reason: String) {
        cancelTimers()
        answering = true
        let body = context.channel.allocator.buffer(string: reason + "\n")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Access-Control-Allow-Origin", value: "*")
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(mode: .all, promise: nil) }
    }
}
