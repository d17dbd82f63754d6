import Archive
import ArchiveFileSystem
import ArchiveSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import LanternServer
import Logging
import NIOConcurrencyHelpers

/// The application `lantern serve` runs (``LanternApplication/build``), on adapters over a temporary data
/// folder, with a logger whose lines the test can read.
struct TestServer {
    let folder: String
    let configuration: ServerConfiguration
    let index: SQLiteIndexStore
    let blobs: FolderBlobStore
    let scratch: FolderScratchSpace
    let worklist: WorklistService
    let log = LogRecorder()

    init() throws {
        folder = NSTemporaryDirectory() + "lantern-server-test-" + UUID().uuidString
        blobs = try FolderBlobStore(root: folder)
        index = try SQLiteIndexStore(path: folder + "/index.sqlite")
        scratch = try FolderScratchSpace(folder: folder + "/tmp")
        var configuration = ServerConfiguration()
        configuration.port = 0
        self.configuration = configuration
        worklist = WorklistService(
            store: try SQLiteWorklistStore(sharing: index), hub: UPSEventHub(),
            defaultWorklistLabel: configuration.aeTitle)
    }

    /// Runs `test` against the application in `mode`, then removes the data folder.
    func test<Value: Sendable>(
        _ mode: TestingSetup = .router, _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let app = LanternApplication.build(
            configuration: configuration, index: index, blobs: blobs, scratch: scratch, worklist: worklist,
            logger: log.logger())
        return try await app.test(mode, test)
    }
}

/// Collects what is logged, for tests that check what the server logs (and what it must not).
final class LogRecorder: Sendable {
    /// One logged line.
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let box = NIOLockedValueBox<[Entry]>([])

    var entries: [Entry] { box.withLockedValue { $0 } }

    func append(_ entry: Entry) { box.withLockedValue { $0.append(entry) } }

    /// A logger at `debug` that records into this recorder.
    func logger() -> Logger {
        var logger = Logger(label: "lantern-test") { _ in RecordingLogHandler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    /// The request log lines (``RequestLogMiddleware``).
    var requestLines: [Entry] { entries.filter { $0.message == "request answered" } }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        recorder.append(
            .init(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}
