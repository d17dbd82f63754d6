import DICOMwebClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A retrieved part written to a hidden temporary file in its destination folder, then renamed into place
/// once complete, so an interrupted retrieve never leaves a partial file under a final name (and resuming
/// can trust every file it finds).
final class PartFile {
    let temporary: String
    private var fd: Int32
    private var committed = false
    private(set) var length: Int64 = 0

    /// Creates the temporary file in `folder`, creating the folder when missing.
    init(folder: String) throws {
        makeFolders(folder)
        var generator = SystemRandomNumberGenerator()
        temporary = folder + "/.incoming-" + String(generator.next() as UInt64, radix: 36)
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DICOMwebClientError("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
    }

    /// Appends bytes.
    func write(_ bytes: ArraySlice<UInt8>) throws {
        guard bytes.withUnsafeBytes({ writeAll(fd, $0) }) else {
            throw DICOMwebClientError("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        length += Int64(bytes.count)
    }

    /// Closes the file, reporting a failed close (a full disk, a quota, NFS); the file stays until
    /// ``commit(to:)`` or deinit.
    func finish() throws {
        guard fd >= 0 else { return }
        let status = close(fd)
        fd = -2
        guard status == 0 else {
            throw DICOMwebClientError("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
    }

    /// Closes the file and renames it to `path` (creating its folder).
    func commit(to path: String) throws {
        try finish()
        if let slash = path.lastIndex(of: "/") { makeFolders(String(path[..<slash])) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DICOMwebClientError("cannot move the retrieved file to \(path): \(reason)")
        }
        committed = true
    }

    /// Removes the temporary file unless it was committed.
    deinit {
        if fd >= 0 { close(fd) }
        if !committed { unlink(temporary) }
    }
}

/// `mkdir -p`.
func makeFolders(_ path: String) {
    var prefix = ""
    for (i, component) in path.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
        prefix += (i == 0 ? "" : "/") + component
        if !prefix.isEmpty { mkdir(prefix, 0o755) }
    }
}

/// Whether `text` is a UID (PS3.5 §9.1: digits and dots, at most 64 characters), so it can name a file.
func isSafeUID(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }
        && !text.hasPrefix(".")
}

/// Whether a regular file exists at `path`.
func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
}

/// Runs `body` for every item, at most `width` at a time.
func forEach<T: Sendable>(
    _ items: [T], concurrently width: Int, _ body: @escaping @Sendable (T) async -> Void
) async {
    await withTaskGroup(of: Void.self) { group in
        var next = 0
        for _ in 0..<min(max(1, width), items.count) {
            let item = items[next]
            next += 1
            group.addTask { await body(item) }
        }
        while await group.next() != nil {
            guard next < items.count else { continue }
            let item = items[next]
            next += 1
            group.addTask { await body(item) }
        }
    }
}
