import NIOCore

/// An object being written under a key (``BlobStore/begin(_:kind:expectedLength:)``). The adapter owns what it
/// holds (a file for the folder, a multipart upload for an object store) and releases it when the writer is
/// finished, aborted or dropped; the archive only pushes bytes. One task uses a writer at a time.
public protocol BlobWriter: AnyObject, Sendable {
    /// The key written under.
    var key: BlobKey { get }
    /// Which object of the key.
    var kind: BlobKind { get }
    /// Appends bytes.
    func append(_ bytes: ByteBuffer) async throws
    /// Appends the last bytes (possibly none) and completes the object in one step. The object is complete but
    /// not yet durable: ``BlobStore/makeDurable()`` commits it.
    func finish(appending last: ByteBuffer) async throws
    /// Discards what was written (no error: whatever remains is journaled and swept).
    func abort() async
}

/// A stored object opened for reading: its size and random access to its bytes. The adapter releases what it
/// holds when the last reference goes, so a reader needs no closing and cannot leak on an error path.
public protocol BlobReader: AnyObject, Sendable {
    /// Size in bytes.
    var size: UInt64 { get }
    /// Reads up to `count` bytes at `offset` (fewer only at the end of the object).
    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer
}

/// Where the bytes of instances and their metadata documents live (ARCHITECTURE §5). Adapters: a folder
/// (`FolderBlobStore`, the embedded default); an S3-compatible store (the scale-out issue). Keys are opaque to
/// the adapter's layout and chosen by the archive (``BlobKey``).
///
/// Writing: an object is written straight to its place under its key (``begin(_:kind:expectedLength:)``, then
/// the ``BlobWriter``), or whole when small (``write(_:kind:bytes:)``). Nothing reads a key before the index
/// references it, and keys are journaled before they are written, so a crash leaves only journaled objects
/// that recovery removes. ``makeDurable()`` is the durable commit: it makes every finished object survive a
/// power loss at once, so a batch of instances costs one flush (group commit) before the index transaction
/// that makes them visible.
///
/// Reading: ``open(_:kind:)`` gives a ``BlobReader``; ``BlobReader/chunks(_:chunkSize:)`` streams a byte range
/// as an `AsyncSequence` of bounded buffers.
///
/// Local scratch space for requests in progress is not a blob store's concern: see ``ScratchSpace``.
public protocol BlobStore: Sendable {
    /// Starts writing object `kind` of `key`; `expectedLength`, when the caller knows it, lets an adapter choose
    /// how to upload (one request or several parts).
    func begin(_ key: BlobKey, kind: BlobKind, expectedLength: UInt64?) async throws -> any BlobWriter
    /// Writes a small object of `key` (the metadata document) whole, in one step; on failure nothing remains.
    /// Like finished writers, it is durable after ``makeDurable()``.
    func write(_ key: BlobKey, kind: BlobKind, bytes: [UInt8]) async throws
    /// Makes every finished object durable (survives power loss): the commit of a batch.
    func makeDurable() async throws
    /// Opens a stored object; `nil` when it does not exist.
    func open(_ key: BlobKey, kind: BlobKind) async throws -> (any BlobReader)?
    /// Reads whole small objects (metadata documents) in one go: one hop to the adapter's I/O for the batch
    /// rather than an open and a read per object. `nil` for an object that is missing or empty.
    func readSmall(_ keys: [BlobKey], kind: BlobKind) async throws -> [[UInt8]?]
    /// Removes every object of `key` (no error when absent); tells whether there was any.
    @discardableResult func remove(_ key: BlobKey) async throws -> Bool
    /// The bytes free for new objects where the store has a limit (a folder: what its file system grants an
    /// unprivileged writer); `nil` for a store without one (an object store). Throws when the store does not
    /// answer, so it doubles as a readiness probe.
    func freeSpace() async throws -> UInt64?
}

extension BlobStore {
    /// Starts writing object `kind` of `key`, of a length not known yet.
    public func begin(_ key: BlobKey, kind: BlobKind) async throws -> any BlobWriter {
        try await begin(key, kind: kind, expectedLength: nil)
    }

    /// Writes object `kind` of `key` from an async sequence of buffers (of known or unknown length); on failure
    /// the writer is aborted. The object is durable after ``makeDurable()``.
    public func write<Bytes: AsyncSequence>(
        _ key: BlobKey, kind: BlobKind, expectedLength: UInt64? = nil, from bytes: Bytes
    ) async throws where Bytes.Element == ByteBuffer {
        let writer = try await begin(key, kind: kind, expectedLength: expectedLength)
        do {
            for try await buffer in bytes { try await writer.append(buffer) }
            try await writer.finish(appending: ByteBuffer())
        } catch {
            await writer.abort()
            throw error
        }
    }
}
