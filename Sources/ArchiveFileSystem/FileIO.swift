import Archive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The blocking read and write loops of the folder adapters (blobs and scratch files): whole buffers, `EINTR`
/// retried, errors as ``ArchiveError/Code/storage`` naming what failed and the OS error.
enum FileIO {
    /// Writes all of `raw` to `fd`.
    static func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32, what: @autoclosure () -> String) throws {
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure("cannot write \(what())", code: code)
            }
            done += n
        }
    }

    /// Fills `raw` from `fd` at `offset`; returns how many bytes were read (fewer only at the end of the file).
    static func readAll(
        _ fd: Int32, at offset: UInt64, into raw: UnsafeMutableRawBufferPointer, what: @autoclosure () -> String
    ) throws -> Int {
        var done = 0
        while done < raw.count {
            let n = pread(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure("cannot read \(what())", code: code)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// A storage error naming `what` and the OS error `code` (the current `errno` when not given).
    static func failure(_ what: String, code: Int32 = errno) -> ArchiveError {
        ArchiveError(.storage, "\(what): \(String(cString: strerror(code)))")
    }
}
