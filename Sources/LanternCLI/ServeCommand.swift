import Archive
import ArchiveFileSystem
import ArchiveSQLite
import ArgumentParser
import Foundation
import Hummingbird
import LanternServer
import Logging

/// `lantern serve`: the DICOMweb origin server on embedded storage (SQLite index + blob folder).
///
/// Settings come, lowest precedence first, from the defaults, a configuration file (`--config`, lines of
/// `key = value`; `#` starts a comment), `LANTERN_*` environment variables, then the command line.
/// Keys: `host`, `port`, `data`, `public-url`, `max-results`, `max-request-bytes`, `max-parts`,
/// `max-rendered-pixels`, `duplicates`, `patient-conflicts`
/// (environment: `LANTERN_HOST`, `LANTERN_PORT`, `LANTERN_DATA`, `LANTERN_PUBLIC_URL`, …).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the DICOMweb server (STOW-RS, QIDO-RS, WADO-RS) on embedded storage.")

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on; 0 picks a free port (default 8080).") var port: Int?
    @Option(help: "Data folder: SQLite index and blobs, created when missing (default ./lantern-data).")
    var data: String?
    @Option(name: .customLong("public-url"), help: "Base URL clients use, e.g. https://pacs.example.org.")
    var publicURL: String?
    @Option(name: .customLong("max-results"), help: "Most QIDO-RS results per response (default 1000).")
    var maxResults: Int?
    @Option(name: .customLong("max-request-bytes"), help: "Largest STOW-RS request body in bytes (default 64 GiB).")
    var maxRequestBytes: UInt64?
    @Option(name: .customLong("max-parts"), help: "Most parts of one STOW-RS request (default 10000).")
    var maxParts: Int?
    @Option(
        name: .customLong("max-rendered-pixels"),
        help: "Most pixels of one rendered image, width × height (default 16777216, 4096 × 4096).")
    var maxRenderedPixels: Int?
    @Option(name: .customLong("duplicates"), help: "reject | overwrite | accept-identical (default).")
    var duplicates: String?
    @Option(
        name: .customLong("patient-conflicts"),
        help: "reject (default) | accept: an instance whose study is stored with another patient.")
    var patientConflicts: String?
    @Option(name: .customLong("ae-title"), help: "This archive's AE Title (default LANTERN).") var aeTitle: String?
    @Option(help: "Configuration file of key = value lines.") var config: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info (default), notice, warning, error.")
    var logLevel: String?

    /// Every key of the configuration file, also read from `LANTERN_*` environment variables.
    static let keys =
        [
            "host", "port", "data", "public-url", "max-results", "max-request-bytes", "duplicates", "log-level",
            "patient-conflicts", "ae-title", "max-parts", "max-rendered-pixels", "default-transfer-syntax",
            "trust-forwarded-headers",
        ] + ConnectionSettings.keys

    func run() async throws {
        // glibc gives every thread that allocates its own malloc arena; with NIO's event loops, the blocking
        // pool and the cooperative pool that is a dozen arenas holding freed chunks of streamed bodies. Two
        // arenas keep peak memory flat while objects stream through (measured by Tests/system/test_memory.py).
        #if canImport(Glibc)
            _ = lantern_mallopt(-8, 2)  // M_ARENA_MAX
        #endif
        var settings = try config.map { try ConfigFile.read($0, known: Set(Self.keys)) } ?? [:]
        let environment = ProcessInfo.processInfo.environment
        for key in Self.keys {
            let variable = "LANTERN_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
            if let value = environment[variable] { settings[key] = value }
        }
        let overrides: [(String, String?)] = [
            ("host", host), ("port", port.map(String.init)), ("data", data), ("public-url", publicURL),
            ("max-results", maxResults.map(String.init)), ("duplicates", duplicates), ("log-level", logLevel),
            ("patient-conflicts", patientConflicts),
            ("ae-title", aeTitle), ("max-parts", maxParts.map(String.init)),
            ("max-request-bytes", maxRequestBytes.map(String.init)),
            ("max-rendered-pixels", maxRenderedPixels.map(String.init)),
        ]
        for (key, value) in overrides { if let value { settings[key] = value } }

        var configuration = ServerConfiguration()
        if let v = settings["host"] { configuration.host = v }
        if let v = settings["port"] {
            guard let p = Int(v), (0...65535).contains(p) else { throw ValidationError("invalid port \(v)") }
            configuration.port = p
        }
        if let v = settings["public-url"] {
            configuration.publicBaseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        }
        if let v = settings["max-results"] {
            guard let n = Int(v), n > 0 else { throw ValidationError("invalid max-results \(v)") }
            configuration.maxResults = n
        }
        if let v = settings["max-request-bytes"] {
            guard let n = UInt64(v), n > 0 else { throw ValidationError("invalid max-request-bytes \(v)") }
            configuration.maxRequestBytes = n
        }
        if let v = settings["max-parts"] {
            guard let n = Int(v), n > 0 else { throw ValidationError("invalid max-parts \(v)") }
            configuration.maxParts = n
        }
        if let v = settings["max-rendered-pixels"] {
            guard let n = Int(v), n > 0 else { throw ValidationError("invalid max-rendered-pixels \(v)") }
            configuration.maxRenderedPixels = n
        }
        if let v = settings["duplicates"] {
            guard let policy = DuplicatePolicy(rawValue: v) else {
                throw ValidationError("duplicates must be reject, overwrite or accept-identical")
            }
            configuration.duplicates = policy
        }
        if let v = settings["patient-conflicts"] {
            guard let policy = PatientConflictPolicy(rawValue: v) else {
                throw ValidationError("patient-conflicts must be reject or accept")
            }
            configuration.patientConflicts = policy
        }
        if let v = settings["ae-title"] {
            guard WorklistService.isValidAETitle(v) else { throw ValidationError("invalid ae-title \(v)") }
            configuration.aeTitle = v
        }
        if let v = settings["trust-forwarded-headers"] {
            guard let trust = Bool(v) else { throw ValidationError("trust-forwarded-headers must be true or false") }
            configuration.trustForwardedHeaders = trust
        }
        if let v = settings["default-transfer-syntax"] {
            switch v {
            case "explicit": configuration.defaultTransferSyntax = "1.2.840.10008.1.2.1"
            case "as-stored": configuration.defaultTransferSyntax = "*"
            default: throw ValidationError("default-transfer-syntax must be explicit or as-stored")
            }
        }
        try ConnectionSettings.apply(settings, to: &configuration.connections)
        let requestedConnections = configuration.connections.maxConnections
        configuration.connections.maxConnections = ConnectionSettings.fitDescriptorLimit(requestedConnections)
        let dataFolder = settings["data"] ?? "./lantern-data"
        var logger = Logger(label: "lantern")
        if let v = settings["log-level"], Logger.Level(rawValue: v) == nil {
            throw ValidationError("log-level must be trace, debug, info, notice, warning, error or critical")
        }
        logger.logLevel = settings["log-level"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        // Nothing touches the data folder before the port is known to be ours, and nothing reads or recovers it
        // before this process holds it alone.
        try await ListenProbe.check(host: configuration.host, port: configuration.port)
        if configuration.connections.maxConnections < requestedConnections {
            logger.notice(
                "max-connections lowered to \(configuration.connections.maxConnections) to fit the open-file limit")
        }
        let lock = try DataFolderLock(folder: dataFolder)
        let blobs = try FolderBlobStore(root: dataFolder)
        configuration.scratchFolder = blobs.scratchFolder
        let index = try SQLiteIndexStore(path: dataFolder + "/index.sqlite")
        let store = StoreService(index: index, blobs: blobs)
        let recovery = try await store.recover()
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
        let host = configuration.host
        let root = configuration.serviceRoot
        let worklist = WorklistService(
            store: SQLiteWorklistStore(sharing: index), hub: UPSEventHub(), defaultWorklistLabel: configuration.aeTitle)
        // PS3.4 §CC.2.4.3: every start is an SCP Status Change (RESTARTED, WARM START) for the subscribers.
        try await worklist.announceRestart()
        let app = LanternApplication.build(
            configuration: configuration, index: index, blobs: blobs, worklist: worklist, logger: logger,
            onRunning: { port in
                // The line tests and scripts wait for; stdout is flushed so a pipe sees it at once.
                FileHandle.standardOutput.write(Data("lantern listening on http://\(host):\(port)\(root)\n".utf8))
            })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await MemoryTrimmer.run() }
            try await app.runService()
            group.cancelAll()
        }
        // Every request has ended: release the keys this run reserved ahead and never used, so that the next
        // start finds nothing to recover after a clean stop.
        let released = try await store.releaseReservedKeys()
        logger.debug("released \(released.releasedKeys) unused blob key(s) at shutdown")
        withExtendedLifetime(lock) {}
    }
}

#if canImport(Glibc)
    /// glibc's `mallopt(3)`; `<malloc.h>` is not part of the Glibc module.
    @_silgen_name("mallopt")
    private func lantern_mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
