import Archive
import Foundation
import HTTPTypes
import Hummingbird
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
    /// Checks, while a channel is open, that the key it was opened with is still valid.
    var authenticator = Authenticator.none
    /// Time between two such checks.
    var recheckInterval: Duration = .seconds(5)

    /// Adds the event channel's WebSocket route (`subscribers/{aetitle}` of ``ServiceDescription``) to `group`
    /// of the WebSocket upgrade router, which runs the application's middleware chain before the upgrade. A
    /// path that does not name a valid AE Title is not upgraded: the request goes on to the HTTP router,
    /// which answers it (400).
    func register(on group: RouterGroup<LanternRequestContext>) {
        let path = ServiceDescription.routes.first { $0.transaction == .openEventChannel }!.routerPath
        group.ws(
            RouterPath(path),
            shouldUpgrade: { _, context in
                // Not upgraded without the permission. hummingbird-websocket answers a declined upgrade 400 with
                // no body; the resource asked without `Upgrade` says why (401 or 403).
                let permitted =
                    (try? Authorization.require(Transaction.openEventChannel.permission, context.identity)) != nil
                return Self.aeTitle(in: context) == nil || !permitted ? .dontUpgrade : .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                guard let ae = Self.aeTitle(in: context.requestContext) else { return }
                try await serve(
                    ae, identity: context.requestContext.identity, inbound: inbound, outbound: outbound,
                    logger: context.logger)
            })
    }

    /// The AE Title of the path, percent-decoded and without insignificant spaces; `nil` when invalid.
    static func aeTitle(in context: LanternRequestContext) -> String? {
        guard let raw = context.parameters.get("aetitle") else { return nil }
        return WorklistService.aeTitle(raw.removingPercentEncoding ?? raw)
    }

    /// Delivers the AE's queued reports, then waits for more, until the peer closes the connection, a newer
    /// channel for the AE supersedes this one, or the server shuts down.
    func serve(
        _ aeTitle: String, identity: Identity = .anonymousWithEveryPermission, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        let hub = worklist.hub
        let token = await hub.openChannel(for: aeTitle)
        logger.info("UPS event channel opened", metadata: ["ae": "\(aeTitle)"])
        ServerMetrics.eventChannels.increment()
        defer {
            ServerMetrics.eventChannels.decrement()
            logger.info("UPS event channel closed", metadata: ["ae": "\(aeTitle)"])
        }
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // The peer sends nothing the standard defines; reading drains pings and sees the close.
                        for try await _ in inbound {}
                    }
                    group.addTask { try await deliver(aeTitle, token: token, outbound: outbound) }
                    group.addTask {
                        // A key revoked (or stripped of `worklist`) while the channel is open ends it.
                        let permission = Transaction.openEventChannel.permission
                        while await authenticator.stillAllows(identity, permission) {
                            try await Task.sleep(for: recheckInterval)
                        }
                        logger.notice("UPS event channel closed: its credentials no longer allow it")
                        try? await outbound.close(.policyViolation, reason: "credentials revoked")
                    }
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
