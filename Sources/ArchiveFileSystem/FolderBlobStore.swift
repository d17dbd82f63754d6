import Archive
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded blob store: one folder (ARCHITECTURE §5).
///
/// Layout: `blobs/abc/<key>.<kind>` (fan-out by the key's first three hexadecimal digits: 4,096 folders,
/// created on first use, so a small archive does not pay a new folder per instance and ten million instances
/// make about 7,000 files per folder). Objects are written in place: the index, not the file system, decides
/// what is visible. Writers (``FolderBlobWriter``) start the write-back of each finished file at once
/// (`sync_file_range`) and ``makeDurable()`` is one `syncfs` per batch; readers (``FolderBlobReader``) are file
/// descriptors read with `pread`. Blocking system calls run on NIO's blocking thread pool, never on the
/// cooperative pool (ARCHITECTURE §7).
public struct FolderBlobStore: BlobStore {
    /// The root folder.
    public let root: String
    private let pool: NIOThreadPool

    /// Opens (creating when needed) a store at `root`.
    public init(root: String, pool: NIOThreadPool = .singleton) throws {
        self.root = root
        self.pool = pool
        try Self.makeDirectories(root)
        try Self.makeDirectories(root + "/blobs")
    }

    static func makeDirectories(_ path: String) throws {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw ArchiveError(.storage, "cannot create folder \(partial): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Creates (or truncates) a file for writing; its folder is made only when it is missing, so the common
    /// case costs one system call.
    private static func create(_ path: String, in folder: String) throws -> Int32 {
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        var fd = Glibc.open(path, flags, 0o644)
        if fd < 0 && errno == ENOENT {
            if mkdir(folder, 0o755) != 0 && errno != EEXIST { throw failure("cannot create a blob folder") }
            fd = Glibc.open(path, flags, 0o644)
        }
        guard fd >= 0 else { throw failure("cannot create a blob") }
        return fd
    }

    private func folder(_ key: BlobKey) -> String {
        let k = key.rawValue
        return "\(root)/blobs/\(k.prefix(3))"
    }

    private func path(_ key: BlobKey, _ kind: BlobKind) -> String { "\(folder(key))/\(key.rawValue).\(kind.rawValue)" }

    static func failure(_ what: String) -> ArchiveError { FileIO.failure(what) }

    public func begin(_ key: BlobKey, kind: BlobKind, expectedLength: UInt64?) async throws -> any BlobWriter {
        let destinationFolder = folder(key)
        let destination = path(key, kind)
        let fd = try await pool.runIfActive { try Self.create(destination, in: destinationFolder) }
        return FolderBlobWriter(key: key, kind: kind, path: destination, descriptor: fd, pool: pool)
    }

    static func writeAll(_ bytes: ByteBuffer, to fd: Int32) throws {
        try bytes.withUnsafeReadableBytes { raw in try writeAll(raw, to: fd) }
    }

    static func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32) throws {
        try FileIO.writeAll(raw, to: fd, what: "a blob")
    }

    public func write(_ key: BlobKey, kind: BlobKind, bytes: [UInt8]) async throws {
        let destinationFolder = folder(key)
        let destination = path(key, kind)
        try await pool.runIfActive {
            let fd = try Self.create(destination, in: destinationFolder)
            do {
                try bytes.withUnsafeBytes { try Self.writeAll($0, to: fd) }
            } catch {
                Glibc.close(fd)
                unlink(destination)
                throw error
            }
            guard Glibc.close(fd) == 0 else {
                unlink(destination)
                throw Self.failure("cannot close a blob")
            }
        }
    }

    /// One `syncfs(2)` flushes the data and folder entries of every finished blob (and anything else dirty on
    /// the file system): far cheaper than an `fsync` per file and per folder for a batch.
    public func makeDurable() async throws {
        let root = self.root
        try await pool.runIfActive {
            let fd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw Self.failure("cannot open the data folder") }
            defer { Glibc.close(fd) }
            guard lantern_syncfs(fd) == 0 else { throw Self.failure("cannot flush the data folder") }
        }
    }

    public func open(_ key: BlobKey, kind: BlobKind) async throws -> (any BlobReader)? {
        let p = path(key, kind)
        let pool = self.pool
        return try await pool.runIfActive { () throws -> (any BlobReader)? in
            let fd = Glibc.open(p, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT { return nil }
                throw Self.failure("cannot open a blob")
            }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                Glibc.close(fd)
                throw Self.failure("cannot stat a blob")
            }
            return FolderBlobReader(descriptor: fd, size: UInt64(st.st_size), pool: pool)
        }
    }

    /// Fills `raw` from `fd` at `offset`; returns how many bytes were read (fewer only at the end of the file).
    static func readAll(_ fd: Int32, at offset: UInt64, into raw: UnsafeMutableRawBufferPointer) throws -> Int {
        try FileIO.readAll(fd, at: offset, into: raw, what: "a blob")
    }

    public func readSmall(_ keys: [BlobKey], kind: BlobKind) async throws -> [[UInt8]?] {
        let paths = keys.map { path($0, kind) }
        return try await pool.runIfActive { () throws -> [[UInt8]?] in
            try paths.map { p -> [UInt8]? in
                let fd = Glibc.open(p, O_RDONLY | O_CLOEXEC)
                if fd < 0 {
                    if errno == ENOENT { return nil }
                    throw Self.failure("cannot open a blob")
                }
                defer { Glibc.close(fd) }
                var st = stat()
                guard fstat(fd, &st) == 0 else { throw Self.failure("cannot stat a blob") }
                let size = Int(st.st_size)
                guard size > 0 else { return nil }
                var bytes = [UInt8](repeating: 0, count: size)
                let done = try bytes.withUnsafeMutableBytes { try Self.readAll(fd, at: 0, into: $0) }
                return done == size ? bytes : nil
            }
        }
    }

    public func freeSpace() async throws -> UInt64? {
        let root = self.root
        return try await pool.runIfActive {
            var info = statvfs()
            guard statvfs(root + "/blobs", &info) == 0 else {
                throw Self.failure("cannot read the blob folder's free space")
            }
            let (free, overflow) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
            return overflow ? UInt64.max : free
        }
    }

    @discardableResult public func remove(_ key: BlobKey) async throws -> Bool {
        let paths = BlobKind.allCases.map { path(key, $0) }
        return try await pool.runIfActive {
            var found = false
            for p in paths {
                if unlink(p) == 0 {
                    found = true
                } else if errno != ENOENT {
                    throw Self.failure("cannot remove a blob")
                }
            }
            return found
        }
    }
}

extension FolderBlobStore {
    /// Starts writing a finished file to disk without waiting (`sync_file_range(2)` with
    /// `SYNC_FILE_RANGE_WRITE`), so that the flush of a batch (``makeDurable()``) overlaps with receiving the
    /// rest of the request and finds little left to write. Durability still comes from ``makeDurable()``;
    /// this only moves work earlier, and a failure here changes nothing.
    static func startWriteback(_ fd: Int32) {
        _ = lantern_sync_file_range(fd, 0, 0, 2)
    }
}

/// glibc's `sync_file_range(2)`, declared only under `_GNU_SOURCE`.
@_silgen_name("sync_file_range")
private func lantern_sync_file_range(_ fd: Int32, _ offset: Int64, _ count: Int64, _ flags: UInt32) -> Int32

/// glibc's `syncfs(2)`, declared only under `_GNU_SOURCE`, so not visible through the Glibc module.
@_silgen_name("syncfs")
private func lantern_syncfs(_ fd: Int32) -> Int32
