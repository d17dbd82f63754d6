import Archive
import DICOMweb
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// Builds the HTTP application (ARCHITECTURE §6, Hummingbird's `buildApplication` pattern): routes under the
/// service root, CORS for browser viewers, `Expect: 100-continue`, and one error mapping.
public enum LanternApplication {
    /// The application serving `index`, `blobs` and `worklist` with `configuration`. `onRunning` receives the
    /// bound port. The UPS-RS event channel is a WebSocket upgrade of `GET {root}/subscribers/{aetitle}`.
    public static func build(
        configuration: ServerConfiguration, index: any IndexStore, blobs: any BlobStore, worklist: WorklistService,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: LanternRequestContext.self)
        router.add(middleware: ErrorMappingMiddleware())
        router.add(middleware: AbortOnBodyFailureMiddleware())
        router.add(middleware: CORSHeaders())
        let store = StoreService(index: index, blobs: blobs, duplicates: configuration.duplicates)
        let retrieve = RetrieveService(index: index, blobs: blobs)
        let wado = WadoController(retrieve: retrieve, configuration: configuration)
        let routes = Routes(
            stow: StowController(store: store, configuration: configuration),
            qido: QidoController(index: index, configuration: configuration),
            wado: wado, rendered: RenderedController(retrieve: retrieve, configuration: configuration), store: store,
            ups: UpsController(worklist: worklist, configuration: configuration),
            nonPatient: NonPatientController(
                index: index, wado: wado, retrieve: retrieve, configuration: configuration),
            configuration: configuration)
        let channel = EventChannel(worklist: worklist, serviceRoot: configuration.serviceRoot)
        routes.register(on: router.group(RouterPath(configuration.serviceRoot)))
        router.get("openapi.json") { request, _ in Capabilities.openAPI(request, configuration: configuration) }
        // WADO-URI (PS3.18 §9) beside the DICOMweb root.
        let wadoURI = WadoURIController(
            retrieve: retrieve, rendered: RenderedController(retrieve: retrieve, configuration: configuration))
        router.get("wado") { request, _ in try await wadoURI.handle(request) }
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(
                configuration: .init(
                    http1: .init(additionalChannelHandlers: [
                        Expect100ContinueHandler(maxRequestBytes: configuration.maxRequestBytes)
                    ])),
                shouldUpgrade: { request, _, _ in channel.shouldUpgrade(request) }),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
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
