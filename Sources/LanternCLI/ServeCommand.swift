import Archive
import ArchiveFileSystem
import ArchiveSQLite
import ArgumentParser
import Foundation
import Hummingbird
import LanternServer
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `lantern serve`: the DICOMweb origin server on embedded storage (SQLite index + blob folder).
///
/// Its settings are the rows of one table, ``ServeSettings/all``: each is an option (``ServeOptions``), a
/// `LANTERN_*` environment variable and a key of the configuration file, documented in `--help` and in
/// `docs/server.md` from that table. The server and the background loops run in one `ServiceGroup` that stops
/// gracefully on SIGTERM and SIGINT: the HTTP server first (it stops accepting and lets requests in progress
/// end), then the loops; then the keys reserved and never used are released and the process exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the DICOMweb server (STOW-RS, QIDO-RS, WADO-RS) on embedded storage.",
        discussion: ServeSettings.discussion)

    @OptionGroup(title: "Settings") var options: ServeOptions
    @Flag(
        name: .customLong("print-config-reference"),
        help: ArgumentHelp("Print the Markdown table of every setting (docs/server.md) and exit.", visibility: .hidden))
    var printConfigReference = false

    func run() async throws {
        if printConfigReference {
            print(ServeSettings.referenceTable, terminator: "")
            return
        }
        // glibc gives every thread that allocates its own malloc arena; with NIO's event loops, the blocking
        // pool and the cooperative pool that is a dozen arenas holding freed chunks of streamed bodies. Two
        // arenas keep peak memory flat while objects stream through (measured by Tests/system/test_memory.py).
        #if canImport(Glibc)
            _ = lantern_mallopt(-8, 2)  // M_ARENA_MAX
        #endif
        let (values, warnings) = try ServeSettings.resolve(
            commandLine: options.values, environment: ProcessInfo.processInfo.environment)
        var configuration = values.server
        let requestedConnections = configuration.connections.maxConnections
        configuration.connections.maxConnections = ConnectionSettings.fitDescriptorLimit(requestedConnections)
        let dataFolder = values.dataFolder
        // Every metric of the process (Hummingbird's per-route requests, the archive's) goes to one registry,
        // served at GET /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger =
            values.jsonLogs
            ? Logger(label: "lantern", factory: { JSONLogHandler(label: $0) }) : Logger(label: "lantern")
        logger.logLevel = values.logLevel
        guard (configuration.tlsCertificatePath == nil) == (configuration.tlsKeyPath == nil) else {
            throw ValidationError("tls-cert and tls-key go together: give both, or neither for plain HTTP")
        }
        // Safe by default: without authentication, patient data stays on this machine unless the operator says so.
        if values.authentication == .none && !Self.isLoopback(configuration.host) && !values.allowAnonymous {
            throw ValidationError(
                """
                refusing to serve \(configuration.host) without authentication: anyone who reaches the port could \
                read, store and delete. Set auth = api-key (and create keys with `lantern keys create`), or \
                allow-anonymous = true to accept that
                """)
        }
        // Read before anything else: a certificate that cannot be used is a one-line refusal at start.
        let certificates = try configuration.tlsCertificatePath.map {
            try TLSCertificates(certificatePath: $0, keyPath: configuration.tlsKeyPath ?? "")
        }

        // Nothing touches the data folder before the port is known to be ours, and nothing reads or recovers it
        // before this process holds it alone.
        try await ListenProbe.check(host: configuration.host, port: configuration.port)
        if configuration.connections.maxConnections < requestedConnections {
            logger.notice(
                "max-connections lowered to \(configuration.connections.maxConnections) to fit the open-file limit")
        }
        let lock = try DataFolderLock(folder: dataFolder)
        let blobs = try FolderBlobStore(root: dataFolder)
        // The default scratch folder is inside the data folder, which `lock` holds.
        let scratch = try FolderScratchSpace(
            folder: values.scratchFolder ?? dataFolder + "/tmp", locked: values.scratchFolder != nil)
        try scratch.sweep()
        // The configured port, not the bound one: a restart on port 0 must keep its name, or it would wait for
        // its own earlier lease to expire.
        let nodeID = values.nodeID ?? "\(ProcessInfo.processInfo.hostName):\(configuration.port)"
        let index = try SQLiteIndexStore(path: dataFolder + "/index.sqlite", nodeID: nodeID)
        let store = StoreService(index: index, blobs: blobs)
        let sweeper = try JournalSweeper(
            store: store,
            settings: .init(
                interval: .nanoseconds(values.sweepInterval.nanoseconds),
                minimumAge: .nanoseconds(values.sweepAge.nanoseconds),
                changeFeedRetention: values.changeFeedRetention > 0 ? .seconds(values.changeFeedRetention) : nil))
        // The first server to hold a lease on the index announces the restart (below), not every one.
        let clusterStart = try await sweeper.join()
        let recovery = try await ArchiveLog.$logger.withValue(logger) { try await store.recover() }
        if recovery.removedBlobs > 0 {
            logger.notice(
                """
                recovery: removed \(recovery.removedBlobs) unfinished or superseded blob(s) that no instance \
                references (an earlier run stopped without cleaning up)
                """)
        }
        if recovery.releasedKeys > 0 {
            logger.info(
                "recovery: released \(recovery.releasedKeys) blob key(s) an earlier run had reserved and not used")
        }
        // Said once the start can no longer fail on the port or the folder, whose refusals are one line.
        for warning in warnings { logger.warning("\(warning)") }
        if certificates == nil && !Self.isLoopback(configuration.host) {
            logger.warning(
                "serving plain HTTP on \(configuration.host), beyond this machine: give tls-cert and tls-key, or put a TLS proxy in front"
            )
        }
        let host = configuration.host
        let root = configuration.serviceRoot
        let scheme = certificates == nil ? "http" : "https"
        let startLogger = logger
        let worklist = WorklistService(
            store: try SQLiteWorklistStore(sharing: index), hub: UPSEventHub(),
            defaultWorklistLabel: configuration.aeTitle)
        // PS3.4 §CC.2.4.3: a start is an SCP Status Change (RESTARTED, WARM START) for the subscribers — said by
        // the server that finds no other live lease on the index, so a cluster announces once.
        if clusterStart { try await worklist.announceRestart() }
        let app = LanternApplication.build(
            configuration: configuration, index: index, blobs: blobs, scratch: scratch, worklist: worklist,
            logger: logger, tls: certificates,
            authenticator: Authenticator(
                mode: values.authentication, credentials: SQLiteCredentialStore(sharing: index)),
            metrics: { registry.emitToBuffer() },
            onRunning: { port in
                // The line tests and scripts wait for; stdout is flushed so a pipe sees it at once.
                FileHandle.standardOutput.write(Data("lantern listening on \(scheme)://\(host):\(port)\(root)\n".utf8))
                startLogger.info("started: data folder \(dataFolder); SIGTERM or SIGINT stops gracefully")
            })
        // The loops that run beside the server (sweepers and listeners join them here). The group shuts its
        // services down in reverse order: the HTTP server drains first, while the loops still run.
        let sweepLogger = logger
        var background: [any Service] = [
            MemoryTrimmer(),
            JournalSweeperService(sweeper: sweeper) { result in
                switch result {
                case .success(let swept) where swept.removedBlobs > 0:
                    sweepLogger.notice("sweep: removed \(swept.removedBlobs) blob(s) abandoned by a stopped server")
                case .failure(let error): sweepLogger.warning("sweep failed: \(error)")
                default: break
                }
            },
        ]
        if let certificates { background.append(CertificateReloader(certificates: certificates, logger: logger)) }
        let services = ServiceGroup(
            configuration: .init(
                services: background.map { .init(service: $0) } + [.init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await ArchiveLog.$logger.withValue(logger) { try await services.run() }
        // Every request has ended: release the keys this run reserved ahead and never used, so that the next
        // start finds nothing to recover after a clean stop.
        let released = try await store.releaseReservedKeys()
        logger.debug("released \(released.releasedKeys) unused blob key(s) at shutdown")
        try await sweeper.leave()
        logger.info("stopped: every request has ended")
        withExtendedLifetime(lock) {}
    }
}

#if canImport(Glibc)
    /// glibc's `mallopt(3)`; `<malloc.h>` is not part of the Glibc module.
    @_silgen_name("mallopt")
    private func lantern_mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

extension ServeCommand {
    /// Whether `host` names this machine only: an IPv4 address in 127.0.0.0/8, `::1` or an IPv4-mapped loopback
    /// address, or `localhost`. Any other name counts as beyond loopback (DNS could resolve it anywhere).
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard inet_pton(AF_INET6, literal, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        // ::ffff:127.x.y.z
        return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }
}
