import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import LanternServer

/// `Expect: 100-continue` is answered once the route reads the body, never before the chain and the route have
/// accepted the request (RFC 9110 §10.1.1).
@Suite struct ExpectContinueTests {
    static func expecting(_ method: HTTPRequest.Method = .post) -> HTTPRequest {
        var head = HTTPRequest(method: method, scheme: nil, authority: "localhost", path: "/dicomweb/studies")
        head.headerFields[.expect] = "100-continue"
        return head
    }

    static func sentContinue(_ channel: EmbeddedChannel) throws -> Bool {
        guard let part = try channel.readOutbound(as: HTTPResponsePart.self) else { return false }
        guard case .head(let head) = part, head.status == .continue else {
            Issue.record("unexpected outbound part \(part)")
            return false
        }
        return true
    }

    @Test func continueIsSentWhenTheBodyIsWantedAndOnlyOnce() throws {
        let channel = EmbeddedChannel(handler: Expect100ContinueHandler())
        try channel.writeInbound(HTTPRequestPart.head(Self.expecting()))
        #expect(try !Self.sentContinue(channel))  // the head alone decides nothing
        channel.triggerUserOutboundEvent(Expect100ContinueHandler.BodyWanted(), promise: nil)
        #expect(try Self.sentContinue(channel))
        channel.triggerUserOutboundEvent(Expect100ContinueHandler.BodyWanted(), promise: nil)
        #expect(try !Self.sentContinue(channel))
        _ = try channel.finish()
    }

    @Test func noContinueAfterAFinalAnswer() throws {
        let channel = EmbeddedChannel(handler: Expect100ContinueHandler())
        try channel.writeInbound(HTTPRequestPart.head(Self.expecting()))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .unsupportedMediaType)))
        _ = try channel.readOutbound(as: HTTPResponsePart.self)
        channel.triggerUserOutboundEvent(Expect100ContinueHandler.BodyWanted(), promise: nil)
        #expect(try !Self.sentContinue(channel))
        _ = try channel.finish()
    }

    @Test func noContinueWhenTheClientDidNotWaitOrDidNotAsk() throws {
        let channel = EmbeddedChannel(handler: Expect100ContinueHandler())
        try channel.writeInbound(HTTPRequestPart.head(Self.expecting()))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "early")))
        channel.triggerUserOutboundEvent(Expect100ContinueHandler.BodyWanted(), promise: nil)
        #expect(try !Self.sentContinue(channel))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(
            HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/")))
        channel.triggerUserOutboundEvent(Expect100ContinueHandler.BodyWanted(), promise: nil)
        #expect(try !Self.sentContinue(channel))
        _ = try channel.finish()
    }

    /// Through the application: a STOW-RS request that expects `100-continue` is stored (its body read
    /// through ``ContinueOnFirstRead``), and one with a Content-Type no route takes is refused unread.
    @Test func storeExpectingContinueThroughTheApplication() async throws {
        let server = try TestServer()
        let instance = try TestInstance()
        try await server.test { client in
            var (body, headers) = instance.stowRequest(boundary: "b0undary")
            headers[.expect] = "100-continue"
            try await client.execute(uri: "/dicomweb/studies", method: .post, headers: headers, body: body) {
                response in
                #expect(response.status == .ok)
            }
            headers[.contentType] = "text/plain"
            try await client.execute(uri: "/dicomweb/studies", method: .post, headers: headers, body: body) {
                response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }
}
