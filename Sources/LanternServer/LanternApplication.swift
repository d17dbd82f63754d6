import Archive
import DICOMweb
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// Builds the HTTP application (ARCHITECTURE §6, Hummingbird's `buildApplication` pattern): routes under the
/// service root, CORS for browser viewers, `Expect: 100-continue`, and one error mapping.
public enum LanternApplication {
    /// The application serving `index`, `blobs` and `worklist` with `configuration`; STOW-RS bulk data parts go
    /// to `scratch`. `onRunning` receives the
    /// bound port. The UPS-RS event channel is a WebSocket upgrade of `GET {root}/subscribers/{aetitle}`.
    public static func build(
        configuration: ServerConfiguration, index: any IndexStore, blobs: any BlobStore, scratch: any ScratchSpace,
        worklist: WorklistService, logger: Logger, tls: TLSCertificates? = nil,
        authenticator: Authenticator = .none, metrics: (@Sendable () -> [UInt8])? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: LanternRequestContext.self)
        addMiddleware(to: router, authenticator: authenticator, accessLog: configuration.accessLog)
        let store = StoreService(
            index: index, blobs: blobs, duplicates: configuration.duplicates,
            patientConflicts: configuration.patientConflicts)
        let retrieve = RetrieveService(index: index, blobs: blobs)
        let health = HealthService(index: index, blobs: blobs, minimumFreeSpace: configuration.minimumFreeSpace)
        let wado = WadoController(retrieve: retrieve, configuration: configuration)
        let routes = Routes(
            stow: StowController(store: store, health: health, scratch: scratch, configuration: configuration),
            qido: QidoController(index: index, configuration: configuration),
            wado: wado, rendered: RenderedController(retrieve: retrieve, configuration: configuration), store: store,
            ups: UpsController(worklist: worklist, configuration: configuration),
            nonPatient: NonPatientController(
                index: index, wado: wado, retrieve: retrieve, configuration: configuration),
            configuration: configuration)
        // WebSocket upgrades are routed by a router of their own, behind the same middleware chain (an upgrade
        // request that no WebSocket route takes goes on to `router`, as an ordinary request).
        let webSocketRouter = Router(context: LanternRequestContext.self)
        addMiddleware(
            to: webSocketRouter, authenticator: authenticator.forWebSocketUpgrades, accessLog: configuration.accessLog)
        EventChannel(worklist: worklist, authenticator: authenticator).register(
            on: webSocketRouter.group(RouterPath(configuration.serviceRoot)))
        routes.register(on: router.group(RouterPath(configuration.serviceRoot)))
        router.get("openapi.json") { request, context in
            try Authorization.require(.read, context.identity)
            return Capabilities.openAPI(request, configuration: configuration)
        }
        // WADO-URI (PS3.18 §9) beside the DICOMweb root.
        let wadoURI = WadoURIController(
            retrieve: retrieve, rendered: RenderedController(retrieve: retrieve, configuration: configuration))
        router.get("wado") { request, context in
            try Authorization.require(.read, context.identity)
            return try await wadoURI.handle(request)
        }
        HealthProbes(health: health).register(on: router)
        ChangeFeedController(index: index).register(on: router)
        if let metrics {
            // Prometheus text exposition (no patient data: labels are route templates, methods and statuses).
            router.get("metrics") { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(bytes: metrics())))
            }
        }
        return Application(
            router: router,
            server: guardedServer(configuration: configuration, webSocketRouter: webSocketRouter, tls: tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// HTTP/1.1 with the WebSocket upgrades of `webSocketRouter` (the event channel), every connection under
    /// the guards of ``ConnectionLimits`` (timeouts, connection cap, request head limits) from its first byte.
    static func guardedServer(
        configuration: ServerConfiguration, webSocketRouter: Router<LanternRequestContext>,
        tls: TLSCertificates? = nil
    ) -> HTTPServerBuilder {
        let limits = configuration.connections
        let counter = ConnectionCounter()
        // The decoder's field limit also bounds the request target, which the byte guard answers first (414).
        var http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [Expect100ContinueHandler()])
        http1.httpDecoder = .init(
            maxHeaderFieldSize: max(limits.maxHeaderBytes, limits.maxURIBytes + 64),
            maxHeaderListSize: limits.maxHeaderBytes + limits.maxURIBytes + 64,
            maxHeaderFieldCount: limits.maxHeaderCount)
        let upgradeConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(http1: http1)
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            GuardedChildChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: upgradeConfiguration),
                limits: limits, counter: counter, tls: tls)
        }
    }
}

/// Turns archive and negotiation errors into their HTTP statuses.
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do { return try await next(request, context) } catch { throw httpError(error) }
    }
}
