import CZlib

/// Incremental raw-deflate decompression for the Deflated Explicit VR Little Endian transfer syntax
/// (PS3.5 §A.5: RFC 1951 without zlib header): the parser's inflater, and the one readers use that need the
/// inflated bytes themselves rather than parse events (byte ranges of a stored instance, counted in inflated
/// bytes as ingest records them). Feed compressed bytes, then take inflated ones in bounded pieces until an
/// empty piece says more input is needed.
///
/// A class because zlib keeps a pointer back to its `z_stream`, which therefore must not move. It is
/// confined to the parser or reader that owns it and never shared across tasks.
public final class Inflater {
    private var stream = z_stream()
    private var pending: [UInt8] = []
    private var pendingStart = 0
    /// The last call filled its output: zlib may hold more output without needing more input.
    private var outputFull = false
    /// Whether the deflate stream ended.
    public private(set) var isFinished = false

    /// A new inflater.
    public init() throws(DICOMParseError) {
        let status = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw DICOMParseError(code: .badDeflate, offset: 0, path: "", message: "inflateInit2 failed (\(status))")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Whether inflating can still produce bytes without more input: compressed bytes are queued, or the last
    /// call filled its output and zlib may hold more.
    var hasPendingInput: Bool { !isFinished && (pendingStart < pending.count || outputFull) }

    /// Queues compressed bytes.
    public func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if pendingStart > 0 && pendingStart >= pending.count / 2 {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// At most `maxOutput` inflated bytes; empty when the queued input is used up (feed more) or the stream ended.
    public func next(maxOutput: Int = 1 << 20) throws(DICOMParseError) -> [UInt8] {
        var output: [UInt8] = []
        _ = try inflate(into: &output, maxOutput: maxOutput, offset: 0)
        return output
    }

    /// Inflates at most `maxOutput` bytes of the queued input, appending them to `output`; `offset` places an
    /// error in the stream. Returns the number of bytes produced.
    func inflate(into output: inout [UInt8], maxOutput: Int, offset: UInt64) throws(DICOMParseError) -> Int {
        guard hasPendingInput else { return 0 }
        let oldCount = output.count
        output.reserveCapacity(oldCount + maxOutput)
        var chunk = [UInt8](repeating: 0, count: maxOutput)
        var status: Int32 = Z_OK
        var consumed = 0
        var produced = 0
        let available = pending.count - pendingStart
        pending.withUnsafeMutableBufferPointer { input in
            chunk.withUnsafeMutableBufferPointer { out in
                // zlib takes no input pointer when no input is given (avail_in 0).
                stream.next_in = available > 0 ? input.baseAddress! + pendingStart : nil
                stream.avail_in = UInt32(available)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(maxOutput)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed = available - Int(stream.avail_in)
                produced = maxOutput - Int(stream.avail_out)
            }
        }
        pendingStart += consumed
        switch status {
        case Z_OK, Z_BUF_ERROR: break
        case Z_STREAM_END: isFinished = true
        default:
            throw DICOMParseError(
                code: .badDeflate, offset: offset, path: "", message: "inflate failed (zlib status \(status))")
        }
        outputFull = produced == maxOutput
        output.append(contentsOf: chunk[0..<produced])
        return produced
    }
}
