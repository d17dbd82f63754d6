/// The largest chunk read or written at once: part content is copied in pieces of this size, never whole.
let bulkChunkSize = 1 << 20

/// A part's scratch file (``ScratchFile``), read at explicit offsets.
struct BulkInputFile {
    let file: any ScratchFile
    /// The file size when opened.
    let size: UInt64

    /// Reads `file`.
    init(_ file: any ScratchFile) throws(BulkIngestError) {
        self.file = file
        do { size = try file.size() } catch { throw BulkIngestError(.io, "\(error)") }
    }

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
        do {
            return try buffer.withUnsafeMutableBytes { raw in
                try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<count]))
            }
        } catch {
            throw BulkIngestError(.io, "\(error)")
        }
    }

    /// Exactly `count` bytes at `offset`, or an `invalidBulkContent` error naming `what` if the file is shorter.
    func readExactly(at offset: UInt64, count: Int, what: String) throws(BulkIngestError) -> [UInt8] {
        let bytes = try read(at: offset, count: count)
        guard bytes.count == count else {
            throw BulkIngestError(.invalidBulkContent, "\(what): the data ends early")
        }
        return bytes
    }
}

/// The output Part 10 file, written sequentially to a scratch file; counts the bytes written so value offsets
/// can be reported.
struct BulkOutputFile {
    let file: any ScratchFile
    /// Bytes written so far.
    private(set) var position: UInt64 = 0

    /// Writes to `file`, which must be empty.
    init(_ file: any ScratchFile) {
        self.file = file
    }

    /// Writes the first `count` bytes of `bytes`.
    mutating func append(_ bytes: [UInt8], count: Int? = nil) throws(BulkIngestError) {
        let total = count ?? bytes.count
        do {
            try bytes.withUnsafeBytes { raw in try file.append(UnsafeRawBufferPointer(rebasing: raw[..<total])) }
        } catch {
            throw BulkIngestError(.io, "\(error)")
        }
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
                throw BulkIngestError(.io, "\(input.file.name) ended \(length - done - UInt64(got)) bytes early")
            }
            try append(buffer, count: n)
            done += UInt64(n)
        }
    }
}
