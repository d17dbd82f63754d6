import ArchiveFileSystem
import ArchiveSQLite
import Foundation
import Testing

@testable import Archive

/// The adapters the port contract suites run against: one case per backend. A new adapter (PostgreSQL, an
/// S3-compatible store) adds a case here and passes the same suites.
enum IndexAdapter: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite

    var testDescription: String { rawValue }

    /// A fresh shared index with its blob store, reached by several nodes.
    func makeShared() throws -> SharedIndex {
        switch self {
        case .sqlite:
            let folder = NSTemporaryDirectory() + "lantern-contract-" + BlobKey.random().rawValue
            let blobs = try FolderBlobStore(root: folder)
            let path = folder + "/index.sqlite"
            return SharedIndex(
                blobs: blobs,
                open: { node, run in try SQLiteIndexStore(path: path, nodeID: node, runID: run) },
                openWorklist: { node in try SQLiteWorklistStore(sharing: try SQLiteIndexStore(path: path, nodeID: node))
                },
                openCredentials: { node in
                    SQLiteCredentialStore(sharing: try SQLiteIndexStore(path: path, nodeID: node))
                },
                remove: { try? FileManager.default.removeItem(atPath: folder) })
        }
    }
}

/// One index shared by several nodes (each with its own connection), and the blob store they share.
struct SharedIndex: Sendable {
    /// The blobs.
    let blobs: any BlobStore
    /// The index as node `node`, run `run`, sees it.
    let open: @Sendable (_ node: String, _ run: String) throws -> any IndexStore
    /// The worklist store of the index, as node `node` reaches it.
    let openWorklist: @Sendable (_ node: String) throws -> any WorklistStore
    /// The credentials of the index, as node `node` reaches them.
    let openCredentials: @Sendable (_ node: String) throws -> any CredentialStore
    /// Removes everything.
    let remove: @Sendable () -> Void

    /// A store service of node `node` in run `run`.
    func node(_ node: String, run: String = BlobKey.random().rawValue) throws -> StoreService {
        StoreService(index: try open(node, run), blobs: blobs)
    }
}

/// The blob store adapters.
enum BlobAdapter: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case folder

    var testDescription: String { rawValue }

    /// A fresh, empty store and how to remove it.
    func make() throws -> (store: any BlobStore, remove: @Sendable () -> Void) {
        switch self {
        case .folder:
            let folder = NSTemporaryDirectory() + "lantern-blobs-" + BlobKey.random().rawValue
            return (try FolderBlobStore(root: folder), { try? FileManager.default.removeItem(atPath: folder) })
        }
    }
}

/// The event notifier adapters.
enum NotifierAdapter: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inProcess

    var testDescription: String { rawValue }

    /// A fresh notifier.
    func make() -> any EventNotifier {
        switch self {
        case .inProcess: UPSEventHub()
        }
    }
}
