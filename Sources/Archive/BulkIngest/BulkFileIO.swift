#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The largest chunk read or written at once: part content is copied in pieces of this size, never whole.
let bulkChunkSize = 1 << 20

/// A part's temporary file, read with `pread` at explicit offsets.
struct BulkInputFile {
    let path: String
    private let fd: Int32
    /// The file size when opened.
    let size: UInt64

    /// Opens `path` for reading.
    init(path: String) throws(BulkIngestError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Self.error("cannot open", path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw Self.error("cannot stat", path)
        }
        self.path = path
        self.fd = fd
        self.size = UInt64(info.st_size)
    }

    /// Closes the file.
    func closeFile() { _ = close(fd) }

    /// Up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: UInt64, count: Int) throws(BulkIngestError) -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let n = Int(min(UInt64(count), size - offset))
        var buffer = [UInt8](repeating: 0, count: n)
        let got = try read(at: offset, into: &buffer, count: n)
        if got < n { buffer.removeLast(n - got) }
        return buffer
    }

    /// Reads up to `count` bytes at `offset` into the start of `buffer`; returns how many were read.
    func read(at offset: UInt64, into buffer: inout [UInt8], count: Int) throws(BulkIngestError) -> Int {
        var done = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            while done < count {
                let r = pread(fd, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if r < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if r == 0 { return }
                done += r
            }
        }
        if failure != 0 { throw Self.error("cannot read", path, failure) }
        return done
    }

    /// Exactly `count` bytes at `offset`, or an `invalidBulkContent` error naming `what` if the file is shorter.
    func readExactly(at offset: UInt64, count: Int, what: String) throws(BulkIngestError) -> [UInt8] {
        let bytes = try read(at: offset, count: count)
        guard bytes.count == count else {
            throw BulkIngestError(.invalidBulkContent, "\(what): the data ends early")
        }
        return bytes
    }

    static func error(_ what: String, _ path: String, _ code: Int32 = errno) -> BulkIngestError {
        BulkIngestError(.io, "\(what) \(path): \(String(cString: strerror(code)))")
    }
}

/// The output Part 10 file, written sequentially; counts the bytes written so value offsets can be reported.
struct BulkOutputFile {
    let path: String
    private let fd: Int32
    /// Bytes written so far.
    private(set) var position: UInt64 = 0

    /// Creates or truncates `path`.
    init(path: String) throws(BulkIngestError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BulkInputFile.error("cannot create", path) }
        self.path = path
        self.fd = fd
    }

    /// Closes the file.
    func closeFile() { _ = close(fd) }

    /// Writes the first `count` bytes of `bytes`.
    mutating func append(_ bytes: [UInt8], count: Int? = nil) throws(BulkIngestError) {
        let total = count ?? bytes.count
        var done = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while done < total {
                let r = write(fd, raw.baseAddress! + done, total - done)
                if r < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += r
            }
        }
        if failure != 0 { throw BulkInputFile.error("cannot write", path, failure) }
        position += UInt64(total)
    }

    /// Copies `length` bytes of `input` from `offset`, in chunks of at most ``bulkChunkSize`` through `buffer`.
    mutating func copy(
        from input: BulkInputFile, offset: UInt64, length: UInt64, buffer: inout [UInt8]
    ) throws(BulkIngestError) {
        if buffer.count < bulkChunkSize { buffer = [UInt8](repeating: 0, count: bulkChunkSize) }
        var done: UInt64 = 0
        while done < length {
            let n = Int(min(UInt64(bulkChunkSize), length - done))
            let got = try input.read(at: offset + done, into: &buffer, count: n)
            guard got == n else {
                throw BulkIngestError(.io, "\(input.path) ended \(length - done - UInt64(got)) bytes early")
            }
            try append(buffer, count: n)
            done += UInt64(n)
        }
    }
}
