import DICOMBinary
import DICOMCore
import NIOCore

/// Reads byte ranges of one stored instance at the offsets ingest records (the frame ranges, the BulkDataURIs):
/// as stored; big endian values swapped to little endian (``ByteSwap``); and for Deflated Explicit VR Little
/// Endian instances (PS3.5 §A.5), whose offsets count inflated bytes, by inflating the data set while streaming.
///
/// An inflating reader keeps its place: ranges asked for in increasing order (the frames of `/pixeldata`, a frame
/// list in order) cost one pass over the instance; a range before the place starts again from the beginning.
/// Memory is bounded: one compressed chunk and one inflated chunk (1 MiB each). Confined to the response that
/// made it; ``close()`` when done.
public final class StoredValueReader {
    let retrieve: RetrieveService
    let instance: StoredInstance
    let swap: ByteSwap?
    let deflated: Bool
    private var handle: (any BlobReader)?
    /// Where the deflated data set starts in the stored bytes: the end of the file meta information.
    private var bodyStart: UInt64?
    private var inflater: Inflater?
    /// The next stored byte to inflate.
    private var physical: UInt64 = 0
    /// The offset of `window[0]`, counted as ingest counts: file meta bytes plus inflated bytes.
    private var logical: UInt64 = 0
    private var window: [UInt8] = []

    init(_ retrieve: RetrieveService, _ instance: StoredInstance, swapping swap: ByteSwap?) {
        self.retrieve = retrieve
        self.instance = instance
        self.swap = swap
        self.deflated = TransferSyntax(uid: instance.transferSyntaxUID).isDeflated
    }

    /// Releases the stored bytes.
    public func close() {
        handle = nil
    }

    /// Streams `range`, in chunks of at most 1 MiB. Throws ``ArchiveError/Code/notFound`` when an inflated
    /// instance ends before the range does.
    public func stream(_ range: ByteRange, chunk: (ByteBuffer) async throws -> Void) async throws {
        guard deflated else {
            return try await retrieve.stream(instance, range: range, swapping: swap, chunk: chunk)
        }
        let start = try await deflatedBodyStart()
        var position = range.offset
        let end = range.offset + range.length
        if position < start {
            // File meta bytes are stored as they are.
            let head = ByteRange(offset: position, length: min(end, start) - position)
            try await retrieve.stream(instance, range: head, chunk: chunk)
            position = head.offset + head.length
        }
        guard position < end else { return }
        if inflater == nil || position < logical {
            inflater = try Inflater()
            physical = start
            logical = start
            window = []
        }
        while position < end {
            let windowEnd = logical + UInt64(window.count)
            if position < windowEnd {
                let from = Int(position - logical)
                let to = Int(min(end, windowEnd) - logical)
                try await chunk(ByteBuffer(bytes: window[from..<to]))
                position = logical + UInt64(to)
                continue
            }
            logical = windowEnd
            window = try await inflateMore()
            if window.isEmpty {
                throw ArchiveError(
                    .notFound,
                    "bytes \(range.offset)-\(end - 1) lie outside the inflated instance \(instance.sopInstanceUID)")
            }
        }
    }

    /// All of `range`, in memory (a header, a value checked before a response starts).
    public func read(_ range: ByteRange) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await stream(range) { out += $0.readableBytesView }
        return out
    }

    /// The next inflated bytes; empty at the end of the deflate stream or of the stored bytes.
    private func inflateMore() async throws -> [UInt8] {
        guard let inflater else { return [] }
        while true {
            let out = try inflater.next()
            if !out.isEmpty || inflater.isFinished { return out }
            let handle = try await openHandle()
            guard physical < handle.size else { return [] }
            let n = Int(min(UInt64(RetrieveService.streamChunk), handle.size - physical))
            let buffer = try await handle.read(at: physical, count: n)
            guard buffer.readableBytes == n else {
                throw ArchiveError.damaged(instance.sopInstanceUID, "its bytes end before the indexed size")
            }
            inflater.feed(buffer.readableBytesView)
            physical += UInt64(n)
        }
    }

    private func openHandle() async throws -> any BlobReader {
        if let handle { return handle }
        let opened = try await retrieve.openIntact(instance)
        handle = opened
        return opened
    }

    /// The end of the file meta information (PS3.10 §7.1): the preamble, `DICM`, and the group 0002 elements,
    /// always Explicit VR Little Endian.
    private func deflatedBodyStart() async throws -> UInt64 {
        if let bodyStart { return bodyStart }
        let handle = try await openHandle()
        func bytes(_ offset: UInt64, _ count: Int) async throws -> [UInt8] {
            guard offset + UInt64(count) <= handle.size else { return [] }
            return Array(try await handle.read(at: offset, count: count).readableBytesView)
        }
        var position: UInt64 = 132
        guard try await bytes(128, 4) == Array("DICM".utf8) else {
            throw ArchiveError.damaged(instance.sopInstanceUID, "it has no file meta information")
        }
        while true {
            let header = try await bytes(position, 8)
            guard header.count == 8, header[0] == 0x02, header[1] == 0x00 else { break }
            guard let vr = VR(byte0: header[4], byte1: header[5]) else { break }
            if vr.hasLongExplicitLength {
                let length = try await bytes(position + 8, 4)
                guard length.count == 4 else { break }
                position += 12 + length.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            } else {
                position += 8 + (UInt64(header[7]) << 8 | UInt64(header[6]))
            }
        }
        bodyStart = position
        return position
    }
}

extension RetrieveService {
    /// A reader of the stored values of `instance` (see ``StoredValueReader``).
    public func valueReader(_ instance: StoredInstance, swapping swap: ByteSwap? = nil) -> StoredValueReader {
        StoredValueReader(self, instance, swapping: swap)
    }

    /// The frames of `instance`: as ingest recorded them, else those of a deflated image
    /// (``inflatedPixelLayout(_:)``); `nil` without Pixel Data.
    public func frameLayout(_ instance: StoredInstance) async throws -> PixelLayout? {
        guard let layout = instance.pixelLayout else { return try await inflatedPixelLayout(instance) }
        // Fragments ingest could not assign to frames (no Basic Offset Table, a count that is not a multiple of
        // the frames) are assigned by where their codestreams start.
        if Self.hasOneFrameOfSeveralFragments(instance),
            let frames = try await imageAttributes(instance).int(Tag.numberOfFrames), frames > 1,
            let assigned = try await codestreamFrames(instance, frames: frames)
        {
            return assigned
        }
        return layout
    }

    /// The frames of a Deflated Explicit VR Little Endian image, which ingest does not record (its offsets count
    /// inflated bytes): found by inflating the instance up to its Pixel Data element, native (PS3.5 §A.5), laid
    /// out from its image attributes as ingest lays out native frames. `nil` for any other instance, or without a
    /// top-level Pixel Data of defined length.
    public func inflatedPixelLayout(_ instance: StoredInstance) async throws -> PixelLayout? {
        guard instance.isDeflatedImage else { return nil }
        return Self.inflatedLayout(try await headUpToPixelData(instance))
    }

    /// The native frames of a deflated image from what ``headUpToPixelData(_:)`` read: its attributes and its
    /// Pixel Data element's header (nil without one of defined length).
    static func inflatedLayout(_ head: (attributes: DataSet, pixelData: ElementHeader?)) -> PixelLayout? {
        guard let header = head.pixelData, let length = header.length.defined else { return nil }
        return .native(attributes: head.attributes, valueOffset: header.valueOffset, length: UInt64(length))
    }

    /// Throws ``ArchiveError/Code/notFound`` unless an element value of `length` bytes starts at `offset` of the
    /// inflated instance `reader` reads: its Explicit VR Little Endian header, just before, says so. Checked before
    /// a response starts, as the stored size bounds the ranges of other instances.
    public func checkInflatedValue(_ reader: StoredValueReader, at offset: UInt64, length: UInt64) async throws {
        let missing = ArchiveError(.notFound, "no element value of \(length) bytes starts at \(offset)")
        guard offset >= 8 else { throw missing }
        let start = offset >= 12 ? offset - 12 : offset - 8
        let header: [UInt8]
        do { header = try await reader.read(ByteRange(offset: start, length: offset - start)) } catch let error
            as ArchiveError where error.code == .notFound
        { throw missing }
        let s = header.count - 8
        if let vr = VR(byte0: header[s + 4], byte1: header[s + 5]), !vr.hasLongExplicitLength,
            UInt64(header[s + 7]) << 8 | UInt64(header[s + 6]) == length
        {
            return
        }
        guard header.count == 12, let vr = VR(byte0: header[4], byte1: header[5]), vr.hasLongExplicitLength,
            header[8...11].reversed().reduce(UInt64(0), { $0 << 8 | UInt64($1) }) == length
        else { throw missing }
    }
}
