import DICOMBinary
import DICOMCore
import NIOCore

/// How a value stored in Explicit VR Big Endian becomes little endian: each word of `unit` bytes reversed,
/// words counted from `origin`, the first byte of the value in the stored instance (PS3.5 §7.3).
public struct ByteSwap: Sendable, Hashable {
    /// Bytes per word: 2, 4 or 8 (1 would change nothing).
    public var unit: Int
    /// Where the value starts in the stored instance.
    public var origin: UInt64

    /// Creates a swap; `nil` for `unit` below 2 (bytes need no swapping).
    public init?(unit: Int, origin: UInt64) {
        guard unit > 1 else { return nil }
        self.unit = unit
        self.origin = origin
    }

}

extension RetrieveService {
    /// The VR of the value of `length` bytes starting at `offset` in an Explicit VR Big Endian instance, read
    /// from the element header just before it (8 bytes for a short-length VR, 12 for a long one, PS3.5 §7.1.2);
    /// `nil` when no element header there announces that length.
    public func bigEndianVR(_ instance: StoredInstance, valueAt offset: UInt64, length: UInt64) async throws -> VR? {
        guard offset >= 8 else { return nil }
        let handle = try await openIntact(instance)
        let start = offset >= 12 ? offset - 12 : offset - 8
        let header = Array(try await handle.read(at: start, count: Int(offset - start)).readableBytesView)
        guard header.count == Int(offset - start) else { return nil }
        // Short form: tag (4), VR (2), 16-bit length.
        let s = header.count - 8
        if let vr = VR(byte0: header[s + 4], byte1: header[s + 5]), !vr.hasLongExplicitLength,
            UInt64(header[s + 6]) << 8 | UInt64(header[s + 7]) == length
        {
            return vr
        }
        // Long form: tag (4), VR (2), reserved (2), 32-bit length.
        guard header.count == 12, let vr = VR(byte0: header[4], byte1: header[5]), vr.hasLongExplicitLength,
            header[6] == 0, header[7] == 0,
            header[8...11].reduce(UInt64(0), { $0 << 8 | UInt64($1) }) == length
        else { return nil }
        return vr
    }

    /// How the Pixel Data of a natively stored Explicit VR Big Endian instance becomes little endian: OW words of
    /// Bits Allocated (16, 32 or 64 bits; 16 for smaller samples, as OW is 16-bit words), OB bytes unchanged.
    /// `nil` when nothing needs swapping.
    public func pixelDataSwap(_ instance: StoredInstance) async throws -> ByteSwap? {
        guard TransferSyntax(uid: instance.transferSyntaxUID).isBigEndian, let offset = instance.pixelDataOffset,
            case .native(_, let frameLength, let frames)? = instance.pixelLayout
        else { return nil }
        let total = frameLength * UInt64(max(1, frames))
        var vr = try await bigEndianVR(instance, valueAt: offset, length: total)
        if vr == nil {
            // The value may be longer than its frames (padding): the VR is then read without the length check.
            vr = try await bigEndianVR(instance, valueAt: offset, length: try await valueLength(instance, at: offset))
        }
        guard vr == .OW else { return nil }
        let bits = try await imageAttributes(instance).int(Tag.bitsAllocated) ?? 16
        return ByteSwap(unit: [16, 32, 64].contains(bits) ? bits / 8 : 2, origin: offset)
    }

    /// The 32-bit big-endian length of a long-form element header ending at `offset`.
    private func valueLength(_ instance: StoredInstance, at offset: UInt64) async throws -> UInt64 {
        guard offset >= 4 else { return 0 }
        let handle = try await openIntact(instance)
        let bytes = Array(try await handle.read(at: offset - 4, count: 4).readableBytesView)
        return bytes.count == 4 ? bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : 0
    }

    /// Streams `range` of the stored bytes of `instance`, with every word of `swap` reversed when given (a
    /// big-endian value sent as little endian). The range may start and end inside words: the words it touches
    /// are read whole, swapped, and cut back to the range. At most two stream chunks are in memory.
    public func stream(
        _ instance: StoredInstance, range: ByteRange, swapping swap: ByteSwap?,
        chunk: (ByteBuffer) async throws -> Void
    ) async throws {
        guard let swap, range.length > 0 else { return try await stream(instance, range: range, chunk: chunk) }
        let unit = UInt64(swap.unit)
        let lead = (range.offset - swap.origin) % unit
        let end = range.offset + range.length
        let alignedEnd = min(end + (unit - (end - swap.origin) % unit) % unit, instance.size)
        var skip = Int(lead)
        var remaining = range.length
        var carry: [UInt8] = []
        func emit(_ bytes: [UInt8]) async throws {
            var out = bytes[...]
            let dropped = min(skip, out.count)
            out = out.dropFirst(dropped)
            skip -= dropped
            if UInt64(out.count) > remaining { out = out.prefix(Int(remaining)) }
            remaining -= UInt64(out.count)
            if !out.isEmpty { try await chunk(ByteBuffer(bytes: out)) }
        }
        try await stream(
            instance, range: ByteRange(offset: range.offset - lead, length: alignedEnd - range.offset + lead)
        ) {
            buffer in
            var bytes = carry
            bytes.append(contentsOf: buffer.readableBytesView)
            let whole = bytes.count - bytes.count % swap.unit
            carry = Array(bytes[whole...])
            bytes.removeLast(bytes.count - whole)
            ByteOrder.swap(&bytes, wordSize: swap.unit)
            try await emit(bytes)
        }
        // A value whose length is not a whole number of words: its last bytes as they are.
        try await emit(carry)
    }
}

extension RetrieveService {
    /// How the bulk data value of `length` bytes at `offset` becomes little endian: `nil` for a little endian
    /// instance or a value of bytes; Pixel Data by ``pixelDataSwap(_:)``, anything else by its VR, read from
    /// its element header. Throws ``ArchiveError/Code/notFound`` when no element header announces the value.
    public func bulkDataSwap(
        _ instance: StoredInstance, valueAt offset: UInt64, length: UInt64
    ) async throws
        -> ByteSwap?
    {
        guard TransferSyntax(uid: instance.transferSyntaxUID).isBigEndian else { return nil }
        if offset == instance.pixelDataOffset { return try await pixelDataSwap(instance) }
        guard let vr = try await bigEndianVR(instance, valueAt: offset, length: length) else {
            throw ArchiveError(.notFound, "no element value starts at \(offset) with length \(length)")
        }
        return ByteSwap(unit: ByteOrder.swapWordSize(for: vr), origin: offset)
    }
}
