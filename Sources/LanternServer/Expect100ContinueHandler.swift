import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (RFC 9110 §10.1.1) with an interim `100 Continue`, so clients that wait for
/// it before sending a body (curl for bodies over 1 MiB, many STOW clients) do not stall. Hummingbird does
/// not do this itself (design/stack-notes.md §1).
///
/// A request that will be refused whatever its body (a POST whose Content-Type no STOW-RS accepts, or whose
/// Content-Length is over the limit) gets no `100 Continue`: the client then receives the final 415 or 413
/// without sending the body (RFC 9110 §10.1.1).
final class Expect100ContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    let maxRequestBytes: UInt64

    init(maxRequestBytes: UInt64) {
        self.maxRequestBytes = maxRequestBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data),
            head.headerFields[.expect]?.lowercased() == "100-continue",
            !willRefuse(head)
        {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }

    private func willRefuse(_ head: HTTPRequest) -> Bool {
        guard head.method == .post else { return false }
        if let length = head.headerFields[.contentLength].flatMap(UInt64.init), length > maxRequestBytes {
            return true
        }
        let type = head.headerFields[.contentType]?.lowercased() ?? ""
        return !(type.hasPrefix("multipart/related") || type.hasPrefix("application/dicom"))
    }
}
