import NIOCore

/// The first handler of every connection, on its raw bytes: admits the connection against the connection cap
/// (503 beyond it), bounds the request line (414), tells the request guard when a request begins, and
/// discards what a client still sends after an early final answer on a closing connection.
///
/// It sits before the HTTP decoder because a request line too long for the decoder is otherwise a decoder
/// error that cannot be told apart from an oversized header (431), and because the decoder reports nothing
/// until a whole head has arrived, which is too late for a header timeout.
final class ConnectionByteGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limits: ConnectionLimits
    private let counter: ConnectionCounter
    /// The HTTP-level guard of the same connection (same event loop); `nil` once the connection is a WebSocket.
    weak var requests: ConnectionGuard?
    private var context: ChannelHandlerContext?
    private var admitted = false
    private var refused = false
    /// Whether the bytes now arriving belong to a request line, and how many have.
    private var inRequestLine = true
    private var requestLineBytes = 0
    /// Whether input is read and dropped (a closing connection after an early answer).
    private var draining = false

    init(limits: ConnectionLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        if admitted {
            admitted = false
            counter.release()
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        if counter.admit(maximum: limits.maxConnections) {
            admitted = true
            context.fireChannelActive()
        } else {
            refused = true
            context.fireChannelActive()
            refuse(
                context, status: "503 Service Unavailable",
                reason: "too many connections are open (max-connections); retry later", extra: "Retry-After: 1\r\n")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if admitted {
            admitted = false
            counter.release()
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused || draining { return }
        let buffer = unwrapInboundIn(data)
        if let requests, requests.bytesArrived() {
            inRequestLine = true
            requestLineBytes = 0
        }
        if inRequestLine {
            if let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                requestLineBytes += newline - buffer.readerIndex
                inRequestLine = false
            } else {
                requestLineBytes += buffer.readableBytes
            }
            // The method, the spaces and the version come on top of the target.
            if requestLineBytes > limits.maxURIBytes + 32 {
                refused = true
                refuse(
                    context, status: "414 URI Too Long",
                    reason: "the request line is longer than \(limits.maxURIBytes) bytes (max-uri-bytes)")
                return
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if draining {
            context.read()
        } else {
            context.fireChannelReadComplete()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if draining, case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            context.close(mode: .all, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// From now on, input is read and dropped (the client's answer is written; it may still be sending).
    func startDraining() {
        draining = true
        context?.read()
    }

    /// Answers with a final status written as raw bytes (no HTTP handler has seen the request) and closes.
    private func refuse(_ context: ChannelHandlerContext, status: String, reason: String, extra: String = "") {
        let body = reason + "\n"
        let text =
            "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\nAccess-Control-Allow-Origin: *\r\n\(extra)\r\n\(body)"
        let closing = context.channel
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { _ in
            closing.close(mode: .all, promise: nil)
        }
    }
}
