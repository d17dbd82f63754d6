import DICOMCore
import DICOMwebClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file to send, as the store and import commands see it.
struct UploadFile: Sendable, Hashable {
    /// The path to open.
    var path: String
    /// The path as reported (relative to the folder given, for import).
    var display: String
    /// Its size in bytes.
    var size: Int64
    /// Its modification time in nanoseconds, for the import journal.
    var modified: Int64
}

/// What gets sent for a file.
enum UploadPayload: Sendable {
    /// A Part 10 file, sent as it is (its header is read when its batch is sent).
    case part10
    /// A non-DICOM file wrapped as metadata + bulk data.
    case wrapped(metadata: DataSet, bulk: StowPart, sopInstanceUID: String)
}

/// One file and its payload.
struct UploadItem: Sendable {
    var file: UploadFile
    var payload: UploadPayload

    /// Whether it is sent as metadata + bulk data (batches hold one kind or the other).
    var isWrapped: Bool {
        if case .wrapped = payload { return true }
        return false
    }
}

/// What happened to one file.
enum UploadOutcome: Sendable {
    /// Stored; `warning` says what the server changed or noted.
    case stored(sopInstanceUID: String, warning: String?)
    /// Not stored, with the reason.
    case failed(sopInstanceUID: String?, reason: String)
    /// Not sent, and why.
    case skipped(SkipReason)

    /// The report line for `file`: `stored`, `warning`, `failed` or `skipped`, the file, the SOP Instance
    /// UID when known, and the reason.
    func line(for file: UploadFile) -> String {
        switch self {
        case .stored(let sop, nil): "stored   \(file.display)  \(sop)\n"
        case .stored(let sop, let warning?): "warning  \(file.display)  \(sop): \(warning)\n"
        case .failed(let sop, let reason): "failed   \(file.display)\(sop.map { "  \($0)" } ?? ""): \(reason)\n"
        case .skipped(let reason): "skipped  \(file.display): \(reason)\n"
        }
    }
}

/// Why a file was not sent.
enum SkipReason: Sendable, CustomStringConvertible {
    /// Not a DICOM file (found in a folder).
    case notDICOM
    /// Named on the command line, but neither DICOM nor a kind that can be wrapped.
    case notWrappable
    /// A DICOMDIR: a media directory, not an instance.
    case mediaDirectory
    /// Another file (named here) holds the same SOP Instance UID.
    case duplicate(of: String)
    /// Its size changed since the files were listed.
    case changed

    var description: String {
        switch self {
        case .notDICOM: "not a DICOM file"
        case .notWrappable: "neither DICOM nor a kind of file that can be wrapped"
        case .mediaDirectory: "a DICOMDIR (media directory), not an instance"
        case .duplicate(let owner): "duplicate of \(owner) (same SOP Instance UID)"
        case .changed: "changed while being sent; run again to send it"
        }
    }
}

/// Finds files: the files given, and every regular file below the folders given, in name order. Hidden
/// files and folders (names starting with `.`) below a folder are left out.
enum FileFinder {
    /// The files under `roots`; `explicit` tells which came straight from the command line.
    static func find(_ roots: [String]) throws -> [(file: UploadFile, explicit: Bool)] {
        var found: [(UploadFile, Bool)] = []
        for root in roots {
            var info = stat()
            guard stat(root, &info) == 0 else {
                throw DICOMwebClientError("\(root): \(String(cString: strerror(errno)))")
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                var prefix = root
                while prefix.count > 1 && prefix.hasSuffix("/") { prefix.removeLast() }
                walk(prefix, relative: "", into: &found)
            } else {
                found.append((file(root, display: root, info), true))
            }
        }
        return found
    }

    static func file(_ path: String, display: String, _ info: stat) -> UploadFile {
        UploadFile(
            path: path, display: display, size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    static func walk(_ folder: String, relative: String, into found: inout [(UploadFile, Bool)]) {
        guard let dir = opendir(folder) else {
            Console.err("note: cannot read folder \(folder): \(String(cString: strerror(errno)))\n")
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        for name in names.sorted() {
            let path = folder + "/" + name
            let display = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: walk(path, relative: display, into: &found)
            case S_IFREG: found.append((file(path, display: display, info), false))
            default: continue
            }
        }
    }
}
