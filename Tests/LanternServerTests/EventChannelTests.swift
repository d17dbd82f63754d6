import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Testing

/// The UPS-RS event channel over a real socket (`.live`): the WebSocket upgrade runs the same middleware chain
/// as every HTTP route before it is upgraded.
@Suite struct EventChannelTests {
    @Test func upgradePassesTheMiddlewareChain() async throws {
        let server = try TestServer()
        try await server.test(.live) { client in
            let port = try #require(client.port)
            try await WebSocketClient.connect(
                url: "ws://localhost:\(port)/dicomweb/subscribers/WSTEST", logger: Logger(label: "ws-test")
            ) { _, _, _ in }
            // The server side logs the opening on its own task: give it a moment.
            for _ in 0..<100 where !server.log.entries.contains(where: { $0.message == "UPS event channel opened" }) {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let upgrade = try #require(
            server.log.requestLines.first { $0.metadata["http.route"] == "/dicomweb/subscribers/{aetitle}" })
        #expect(upgrade.metadata["http.status"] == "200")
        #expect(upgrade.metadata["lantern.identity"] == "anonymous")
        let opened = try #require(server.log.entries.first { $0.message == "UPS event channel opened" })
        // The channel logs through the upgrade request's logger: same request id, same identity.
        #expect(opened.metadata["hb.request.id"] != nil)
        #expect(opened.metadata["hb.request.id"] == upgrade.metadata["hb.request.id"])
        #expect(opened.metadata["lantern.identity"] == "anonymous")
    }
}
