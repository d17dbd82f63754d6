import Archive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The ``ScratchSpace`` of a local folder (the `scratch` setting; by default `tmp` under the data folder).
///
/// A folder of its own is locked for the life of the process (``DataFolderLock``), so that a second server given
/// the same folder is refused rather than having its files swept from under it; the default folder, inside the
/// locked data folder, needs no lock of its own. Files are named with random keys and unlinked when released.
public final class FolderScratchSpace: ScratchSpace {
    /// The folder.
    public let folder: String
    private let lock: DataFolderLock?
    /// The names of the files this space creates (and earlier versions did), which ``sweep()`` removes.
    static let ownedPrefixes = ["scratch-", "bulk-", "built-"]

    /// Opens (creating when needed) the scratch folder `folder`, locking it unless `locked` is false (a folder
    /// inside a data folder this process has locked).
    public init(folder: String, locked: Bool = true) throws {
        self.folder = folder
        if locked {
            lock = try DataFolderLock(folder: folder, what: "scratch folder", option: "--scratch")
        } else {
            try FolderBlobStore.makeDirectories(folder)
            lock = nil
        }
    }

    public func makeFile() throws -> any ScratchFile {
        let path = "\(folder)/scratch-\(BlobKey.random().rawValue)"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FolderScratchFile.failure("cannot create a scratch file") }
        close(fd)
        return FolderScratchFile(path: path, removesOnRelease: true)
    }

    /// Removes the files a crash left: the ones this space names (`scratch-…`; `bulk-…` and `built-…` of earlier
    /// versions), never anything else a user keeps in the folder.
    public func sweep() throws {
        guard let dir = opendir(folder) else { throw FolderScratchFile.failure("cannot list \(folder)") }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard Self.ownedPrefixes.contains(where: { name.hasPrefix($0) }) else { continue }
            unlink(folder + "/" + name)
        }
    }
}

/// A file of a ``FolderScratchSpace``, unlinked on release; or a file of the caller's (``init(reading:)``,
/// ``init(creating:)``), kept. No descriptor is held between calls: a request of thousands of bulk data parts
/// must not hold thousands of open files while a slow client sends them, so each call opens the file, does its
/// work and closes it (a few microseconds beside a write or read of up to 1 MiB).
public final class FolderScratchFile: ScratchFile {
    /// Where the file is (for tests and messages).
    public let path: String
    private let removesOnRelease: Bool

    init(path: String, removesOnRelease: Bool) {
        self.path = path
        self.removesOnRelease = removesOnRelease
    }

    /// Reads an existing file (e.g. a file the CLI client wraps into an instance); it is kept on release.
    public convenience init(reading path: String) throws {
        guard access(path, R_OK) == 0 else { throw Self.failure("cannot open \(path)") }
        self.init(path: path, removesOnRelease: false)
    }

    /// Creates (or truncates) a file that outlives this object (e.g. an instance the CLI client sends next).
    public convenience init(creating path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("cannot create \(path)") }
        close(fd)
        self.init(path: path, removesOnRelease: false)
    }

    deinit {
        if removesOnRelease { unlink(path) }
    }

    public var name: String { path }

    public func size() throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Self.failure("cannot stat \(path)") }
        return UInt64(info.st_size)
    }

    /// Runs `body` on a descriptor of the file opened with `flags`, then closes it.
    private func with<T>(_ flags: Int32, _ body: (Int32) throws -> T) throws -> T {
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure("cannot open \(path)") }
        defer { close(fd) }
        return try body(fd)
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        try with(O_WRONLY | O_APPEND) { fd in try FileIO.writeAll(bytes, to: fd, what: path) }
    }

    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try with(O_RDONLY) { fd in try FileIO.readAll(fd, at: offset, into: buffer, what: path) }
    }

    static func failure(_ what: String) -> ArchiveError { FileIO.failure(what) }
}
