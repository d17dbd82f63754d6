#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The record of what `lantern import` has stored, so an interrupted import resumes where it stopped. One
/// line per stored file, appended (with `write(2)`, so a killed client loses nothing it was told) as soon as
/// the server confirms the file's batch:
///
///     stored<TAB>size<TAB>mtime-ns<TAB>SOP Instance UID<TAB>path relative to the folder
///
/// A file is imported before when its path, size and modification time all match a line.
actor ImportJournal {
    /// Where the journal is.
    let path: String
    private let fd: Int32

    /// Files recorded before: relative path → (size, mtime, SOP Instance UID).
    let recorded: [String: (size: Int64, modified: Int64, sop: String)]

    /// Opens (creating it and its folder) the journal at `path`; `restart` forgets what it holds.
    init(path: String, restart: Bool) throws {
        self.path = path
        if let slash = path.lastIndex(of: "/") { makeFolders(String(path[..<slash])) }
        var recorded: [String: (Int64, Int64, String)] = [:]
        if !restart, let text = Self.contents(path) {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
                guard fields.count == 5, fields[0] == "stored", let size = Int64(fields[1]),
                    let modified = Int64(fields[2])
                else { continue }
                recorded[String(fields[4])] = (size, modified, String(fields[3]))
            }
        }
        self.recorded = recorded
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (restart ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else {
            throw JournalError(message: "cannot write the journal \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether `file` was imported before.
    nonisolated func wasImported(_ file: UploadFile) -> Bool {
        guard let entry = recorded[file.display] else { return false }
        return entry.size == file.size && entry.modified == file.modified
    }

    /// Records stored files.
    func record(_ files: [(UploadFile, String)]) {
        guard !files.isEmpty else { return }
        var text = ""
        for (file, sop) in files {
            text += "stored\t\(file.size)\t\(file.modified)\t\(sop)\t\(file.display)\n"
        }
        Console.write(fd, text)
    }

    deinit { close(fd) }

    static func contents(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The default journal for importing `folder` into `serviceRoot`:
    /// `$XDG_STATE_HOME/lantern/import-<hash>.journal` (`~/.local/state` when unset).
    static func defaultPath(folder: String, serviceRoot: String) -> String {
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let absolute = realpath(folder, &resolved) != nil ? String(cString: resolved) : folder
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in (absolute + "\n" + serviceRoot).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let base = environment("XDG_STATE_HOME") ?? ((environment("HOME") ?? "/tmp") + "/.local/state")
        let hex = String(hash, radix: 16)
        return "\(base)/lantern/import-\(String(repeating: "0", count: 16 - hex.count))\(hex).journal"
    }
}

struct JournalError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
