import Metrics
import NIOCore

/// Counts the bytes of every connection, both ways, for `GET /metrics` (`lantern_http_received_bytes`,
/// `lantern_http_sent_bytes`): after the TLS handler when there is one, so it counts HTTP bytes, not records.
/// It passes everything through unchanged.
final class ByteCounter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    static let received = Counter(label: "lantern_http_received_bytes")
    static let sent = Counter(label: "lantern_http_sent_bytes")

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        Self.received.increment(by: unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        Self.sent.increment(by: unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}
