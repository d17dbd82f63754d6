import Archive
import Foundation
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore

/// The UPS-RS event channel (PS3.18 §11.13, §8.10.4): `GET {root}/subscribers/{aetitle}` upgraded to a
/// WebSocket, on which the server sends each event report queued for the AE as one text message holding a
/// DICOM JSON object. Reports wait in the worklist store while the AE is not connected (also across restarts)
/// and are removed once written to its socket, oldest first.
struct EventChannel: Sendable {
    let worklist: WorklistService
    let serviceRoot: String

    /// The AE Title when `path` is this service's event channel resource, else `nil` (the router answers).
    func aeTitle(forPath path: String) -> String? {
        let prefix = serviceRoot + "/subscribers/"
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard pathOnly.hasPrefix(prefix) else { return nil }
        let raw = String(pathOnly.dropFirst(prefix.count))
        guard !raw.contains("/"), let ae = raw.removingPercentEncoding, WorklistService.isValidAETitle(ae) else {
            return nil
        }
        return ae
    }

    /// What the upgrade decides for `request`.
    func shouldUpgrade(
        _ request: HTTPRequest
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard request.method == .get, let path = request.path, let ae = aeTitle(forPath: path) else {
            return .dontUpgrade
        }
        var headers: HTTPFields = [:]
        headers[.accessControlAllowOrigin] = "*"
        return .upgrade(headers) { inbound, outbound, context in
            try await serve(ae, inbound: inbound, outbound: outbound, logger: context.logger)
        }
    }

    /// Delivers the AE's queued reports, then waits for more, until the peer closes the connection.
    func serve(
        _ aeTitle: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        logger.info("UPS event channel opened", metadata: ["ae": "\(aeTitle)"])
        defer { logger.info("UPS event channel closed", metadata: ["ae": "\(aeTitle)"]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // The peer sends nothing the standard defines; reading drains pings and sees the close.
                for try await _ in inbound {}
            }
            group.addTask {
                while !Task.isCancelled {
                    let events = try await worklist.queuedEvents(for: aeTitle)
                    if events.isEmpty {
                        await worklist.hub.wait(for: aeTitle)
                        continue
                    }
                    for event in events {
                        try await outbound.write(.text(String(decoding: event.json, as: UTF8.self)))
                    }
                    try await worklist.acknowledge(events, for: aeTitle)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
