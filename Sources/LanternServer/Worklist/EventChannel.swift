import Archive
import Foundation
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The UPS-RS event channel (PS3.18 §11.13, §8.10.4): `GET {root}/subscribers/{aetitle}` upgraded to a
/// WebSocket, on which the server sends each event report queued for the AE as one text message holding a
/// DICOM JSON object. Reports wait in the worklist store while the AE is not connected (also across restarts)
/// and are removed once written to its socket, oldest first. One channel per AE: a newer one supersedes the
/// older, which is closed. There is no acknowledgement above WebSocket, so a report written to a connection
/// that turns out to be dead is lost.
struct EventChannel: Sendable {
    let worklist: WorklistService
    let serviceRoot: String

    /// The AE Title when `path` is this service's event channel resource, else `nil` (the router answers).
    func aeTitle(forPath path: String) -> String? {
        let prefix = serviceRoot + "/subscribers/"
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard pathOnly.hasPrefix(prefix) else { return nil }
        let raw = String(pathOnly.dropFirst(prefix.count))
        guard !raw.contains("/"), let decoded = raw.removingPercentEncoding else { return nil }
        return WorklistService.aeTitle(decoded)
    }

    /// What the upgrade decides for `request`.
    func shouldUpgrade(
        _ request: HTTPRequest
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard request.method == .get, let path = request.path, let ae = aeTitle(forPath: path) else {
            return .dontUpgrade
        }
        return .upgrade([:]) { inbound, outbound, context in
            try await serve(ae, inbound: inbound, outbound: outbound, logger: context.logger)
        }
    }

    /// Delivers the AE's queued reports, then waits for more, until the peer closes the connection, a newer
    /// channel for the AE supersedes this one, or the server shuts down.
    func serve(
        _ aeTitle: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        let hub = worklist.hub
        let token = await hub.openChannel(for: aeTitle)
        logger.info("UPS event channel opened", metadata: ["ae": "\(aeTitle)"])
        defer { logger.info("UPS event channel closed", metadata: ["ae": "\(aeTitle)"]) }
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // The peer sends nothing the standard defines; reading drains pings and sees the close.
                        for try await _ in inbound {}
                    }
                    group.addTask { try await deliver(aeTitle, token: token, outbound: outbound) }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // Shutdown: the connection is closed after this returns.
        }
        await hub.closeChannel(token, for: aeTitle)
    }

    private func deliver(_ aeTitle: String, token: Int, outbound: WebSocketOutboundWriter) async throws {
        let hub = worklist.hub
        while !Task.isCancelled, await hub.isCurrent(token, for: aeTitle) {
            let events = try await worklist.queuedEvents(for: aeTitle)
            if events.isEmpty {
                await hub.wait(for: aeTitle)
                continue
            }
            var sent: [UPSQueuedEvent] = []
            for event in events {
                guard await hub.isCurrent(token, for: aeTitle) else { break }
                try await outbound.write(.text(String(decoding: event.json, as: UTF8.self)))
                sent.append(event)
            }
            try await worklist.acknowledge(sent, for: aeTitle)
        }
    }
}
