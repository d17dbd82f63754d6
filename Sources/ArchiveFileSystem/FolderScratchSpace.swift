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
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FolderScratchFile.failure("cannot create a scratch file") }
        return FolderScratchFile(path: path, descriptor: fd, removesOnRelease: true)
    }

    /// Removes every file of the folder but its lock.
    public func sweep() throws {
        guard let dir = opendir(folder) else { throw FolderScratchFile.failure("cannot list \(folder)") }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." || name == "lantern.lock" { continue }
            unlink(folder + "/" + name)
        }
    }
}

/// A file of a ``FolderScratchSpace``, closed and unlinked on release; or a file of the caller's
/// (``init(reading:)``, ``init(creating:)``), only closed.
public final class FolderScratchFile: ScratchFile {
    /// Where the file is (for tests and messages).
    public let path: String
    private let descriptor: Int32
    private let removesOnRelease: Bool

    init(path: String, descriptor: Int32, removesOnRelease: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.removesOnRelease = removesOnRelease
    }

    /// Reads an existing file (e.g. a file the CLI client wraps into an instance); it is kept on release.
    public convenience init(reading path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure("cannot open \(path)") }
        self.init(path: path, descriptor: fd, removesOnRelease: false)
    }

    /// Creates (or truncates) a file that outlives this object (e.g. an instance the CLI client sends next).
    public convenience init(creating path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("cannot create \(path)") }
        self.init(path: path, descriptor: fd, removesOnRelease: false)
    }

    deinit {
        close(descriptor)
        if removesOnRelease { unlink(path) }
    }

    public var name: String { path }

    public func size() throws -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Self.failure("cannot stat \(path)") }
        return UInt64(info.st_size)
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure("cannot write \(path)")
            }
            done += n
        }
    }

    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure("cannot read \(path)")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func failure(_ what: String) -> ArchiveError {
        ArchiveError(.storage, "\(what): \(String(cString: strerror(errno)))")
    }
}
