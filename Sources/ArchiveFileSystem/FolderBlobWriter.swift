import Archive
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file of a ``FolderBlobStore`` being written in place under its key. Its descriptor is closed once: by
/// ``finish(appending:)``, ``abort()`` or, for a writer dropped half-way (a cancelled request), on release — the
/// partial file is then left for recovery, which knows its key from the journal.
public final class FolderBlobWriter: BlobWriter {
    public let key: BlobKey
    public let kind: BlobKind
    let path: String
    private let pool: NIOThreadPool
    /// The open descriptor, `nil` once closed.
    private let descriptor: Mutex<Int32?>

    init(key: BlobKey, kind: BlobKind, path: String, descriptor: Int32, pool: NIOThreadPool) {
        self.key = key
        self.kind = kind
        self.path = path
        self.pool = pool
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        if let fd = descriptor.withLock({ $0 }) { Glibc.close(fd) }
    }

    /// The descriptor, or an error when the writer is closed.
    private func open() throws -> Int32 {
        guard let fd = descriptor.withLock({ $0 }) else { throw ArchiveError(.storage, "the blob writer is closed") }
        return fd
    }

    /// Takes the descriptor for closing: only one caller gets it.
    private func take() -> Int32? {
        descriptor.withLock { fd in
            defer { fd = nil }
            return fd
        }
    }

    public func append(_ bytes: ByteBuffer) async throws {
        let fd = try open()
        try await pool.runIfActive { try FolderBlobStore.writeAll(bytes, to: fd) }
    }

    public func finish(appending last: ByteBuffer) async throws {
        let fd = try open()
        try await pool.runIfActive {
            do { try FolderBlobStore.writeAll(last, to: fd) } catch {
                if let fd = self.take() { Glibc.close(fd) }
                throw error
            }
            FolderBlobStore.startWriteback(fd)
            guard let fd = self.take() else { return }
            guard Glibc.close(fd) == 0 else { throw FolderBlobStore.failure("cannot close a blob") }
        }
    }

    /// Closes and removes the file, also for a cancelled request (NIO's pool skips work of a cancelled task, so
    /// the cleanup runs in a task of its own).
    public func abort() async {
        let (pool, path) = (self.pool, self.path)
        await Task.detached {
            _ = try? await pool.runIfActive {
                if let fd = self.take() { Glibc.close(fd) }
                unlink(path)
            }
        }.value
    }
}

/// A file of a ``FolderBlobStore`` open for reading; the descriptor is closed on release. Every read holds a
/// reference, so the descriptor outlives the reads in flight.
public final class FolderBlobReader: BlobReader {
    public let size: UInt64
    private let descriptor: Int32
    private let pool: NIOThreadPool

    init(descriptor: Int32, size: UInt64, pool: NIOThreadPool) {
        self.descriptor = descriptor
        self.size = size
        self.pool = pool
    }

    deinit { Glibc.close(descriptor) }

    public func read(at offset: UInt64, count: Int) async throws -> ByteBuffer {
        try await pool.runIfActive {
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                try FolderBlobStore.readAll(
                    self.descriptor, at: offset, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<count]))
            }
            return buffer
        }
    }
}
