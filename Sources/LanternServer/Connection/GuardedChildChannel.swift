import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Wraps the HTTP child channel (HTTP/1.1 with the WebSocket upgrade) so that every connection is guarded from
/// its first byte: ``ConnectionByteGuard`` first in the pipeline, ``ConnectionGuard`` right after the request
/// decoder. Hummingbird's own extension point (`additionalChannelHandlers`) adds handlers only once the first
/// request's head has been read and the upgrade decided, too late for the first request's timeouts and errors.
///
/// With TLS, the TLS handler comes first and the guards see the decrypted bytes: the head limits count request
/// bytes, not records, and a client that never finishes its handshake sends no request head in time.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let limits: ConnectionLimits
    let counter: ConnectionCounter
    /// The certificate to present, when the server speaks TLS.
    let tls: TLSCertificates?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let limits = self.limits
        let counter = self.counter
        let tls = self.tls
        let guards = channel.eventLoop.makeCompletedFuture { () -> NIOLoopBound<ConnectionByteGuard> in
            let bytes = ConnectionByteGuard(limits: limits, counter: counter)
            let byteCounter = ByteCounter()
            if let tls {
                let handler = NIOSSLServerHandler(context: tls.context)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                try channel.pipeline.syncOperations.addHandler(byteCounter, position: .after(handler))
            } else {
                try channel.pipeline.syncOperations.addHandler(byteCounter, position: .first)
            }
            try channel.pipeline.syncOperations.addHandler(bytes, position: .after(byteCounter))
            return NIOLoopBound(bytes, eventLoop: channel.eventLoop)
        }
        return guards.flatMap { bytes in
            inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
                let requests = ConnectionGuard(limits: limits, bytes: bytes.value)
                let decoder = try channel.pipeline.syncOperations.handler(
                    type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                try channel.pipeline.syncOperations.addHandler(requests, position: .after(decoder))
                bytes.value.requests = requests
                return value
            }
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
