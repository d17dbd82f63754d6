import Archive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on a data folder, held for the life of the process that serves it.
///
/// Two servers on one folder would each believe the blob journal is theirs and the second one's recovery
/// would delete blobs the first is writing. The embedded store therefore admits one process per folder: the
/// lock is a `flock(2)` on `lantern.lock` in the folder, which the kernel releases when the process ends, however
/// it ends (so a crash never leaves a stale lock). The file holds the holder's PID, so a refused second process
/// can name it.
public final class DataFolderLock: Sendable {
    /// The locked folder.
    public let folder: String
    /// The lock file's descriptor; closing it releases the lock.
    private let descriptor: Int32

    /// Why a folder could not be locked.
    public struct Refusal: Error, CustomStringConvertible {
        /// One line for the operator.
        public let description: String
    }

    /// Takes the lock on `folder` (created when missing), or throws ``Refusal`` naming the process that holds it;
    /// `what` and `option` name the folder and the option that chooses it in the refusal.
    public init(folder: String, what: String = "data folder", option: String = "--data") throws {
        self.folder = folder
        do { try FolderBlobStore.makeDirectories(folder) } catch {
            throw Refusal(description: "cannot create the \(what) \(folder): \(error)")
        }
        let path = folder + "/lantern.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Refusal(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = Self.readPID(fd)
            close(fd)
            if reason == EWOULDBLOCK {
                let who = holder.map { "another lantern process (PID \($0))" } ?? "another lantern process"
                throw Refusal(
                    description:
                        "the \(what) \(folder) is in use by \(who); stop it or choose another \(option) folder"
                )
            }
            throw Refusal(description: "cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The PID written in an open lock file, if it holds one.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[..<n], as: UTF8.self).split(whereSeparator: \.isNewline).first
        return text.flatMap { Int32($0) }
    }
}
