import NIOCore

/// A blob being written: bytes go to a temporary place until ``BlobStore/commit(_:)``.
public struct BlobUpload: Sendable {
    /// The key it will be stored under.
    public let key: BlobKey
    /// Which object of the key.
    public let kind: BlobKind
    /// The store's handle (a file descriptor for the folder store).
    public let handle: Int32
    /// Where the bytes go.
    public let location: String
    /// Creates an upload.
    public init(key: BlobKey, kind: BlobKind, handle: Int32, location: String) {
        self.key = key
        self.kind = kind
        self.handle = handle
        self.location = location
    }
}

/// A stored blob opened for reading.
public struct BlobHandle: Sendable {
    /// The store's handle.
    public let handle: Int32
    /// Size in bytes.
    public let size: UInt64
    /// Creates a handle.
    public init(handle: Int32, size: UInt64) {
        self.handle = handle
        self.size = size
    }
}

/// Where the bytes of instances and their metadata documents live (ARCHITECTURE §5). Adapters: a folder
/// (embedded default); an S3-compatible store later. Writes go straight to the object's place under its key
/// (`begin`, `append`, `finish` or `abort`); nothing reads a key before the index references it, and keys are
/// journaled before they are written, so a crash leaves only journaled objects that recovery removes.
/// ``makeDurable()`` then flushes every finished object at once, so that a batch of instances costs one flush
/// (group commit) before the index commit that makes them visible.
public protocol BlobStore: Sendable {
    /// Starts writing object `kind` of `key`.
    func begin(_ key: BlobKey, kind: BlobKind) async throws -> BlobUpload
    /// Appends bytes to an upload.
    func append(_ bytes: ByteBuffer, to upload: BlobUpload) async throws
    /// Appends the last bytes (possibly none) and ends the upload in one step (one hop to the I/O pool); the
    /// object is complete but not yet durable.
    func finish(_ upload: BlobUpload, appending last: ByteBuffer) async throws
    /// Writes a small object of `key` (the metadata sidecar) whole, in one step; on failure nothing remains.
    /// Like finished uploads, it is durable after ``makeDurable()``.
    func write(_ key: BlobKey, kind: BlobKind, bytes: [UInt8]) async throws
    /// Makes every finished object durable (survives power loss).
    func makeDurable() async throws
    /// Discards an upload.
    func abort(_ upload: BlobUpload) async
    /// Opens a stored object; `nil` when it does not exist.
    func open(_ key: BlobKey, kind: BlobKind) async throws -> BlobHandle?
    /// Reads up to `count` bytes at `offset` (fewer only at the end).
    func read(_ handle: BlobHandle, offset: UInt64, count: Int) async throws -> ByteBuffer
    /// Closes a handle.
    func close(_ handle: BlobHandle)
    /// Reads whole small objects (metadata documents) in one go: one hop to the I/O pool for the batch
    /// rather than an open and a read per object. `nil` for an object that is missing or empty.
    func readSmall(_ keys: [BlobKey], kind: BlobKind) async throws -> [[UInt8]?]
    /// Removes every object of `key` (no error when absent); tells whether there was any.
    @discardableResult func remove(_ key: BlobKey) async throws -> Bool
    /// Removes temporaries left by a crash; call at start, before serving.
    func sweepTemporaries() async throws
}
