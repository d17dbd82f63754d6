import CZlib

/// Incremental raw-deflate decompression for the Deflated Explicit VR Little Endian transfer syntax
/// (PS3.5 §A.5: RFC 1951 without zlib header).
///
/// A class because zlib keeps a pointer back to its `z_stream`, which therefore must not move. It is
/// confined to the parser that owns it and never shared across tasks.
final class Inflater {
    private var stream = z_stream()
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private(set) var isFinished = false

    init() throws(DICOMParseError) {
        let status = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw DICOMParseError(code: .badDeflate, offset: 0, path: "", message: "inflateInit2 failed (\(status))")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Compressed bytes waiting to be inflated.
    var hasPendingInput: Bool { !isFinished && pendingStart < pending.count }

    /// Queues compressed bytes.
    func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if pendingStart > 0 && pendingStart >= pending.count / 2 {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// Inflates at most `maxOutput` bytes of the queued input, appending them to `output`.
    /// Returns the number of bytes produced.
    func inflate(into output: inout [UInt8], maxOutput: Int, offset: UInt64) throws(DICOMParseError) -> Int {
        guard !isFinished, hasPendingInput else { return 0 }
        let oldCount = output.count
        output.reserveCapacity(oldCount + maxOutput)
        var chunk = [UInt8](repeating: 0, count: maxOutput)
        var status: Int32 = Z_OK
        var consumed = 0
        var produced = 0
        pending.withUnsafeMutableBufferPointer { input in
            chunk.withUnsafeMutableBufferPointer { out in
                stream.next_in = input.baseAddress! + pendingStart
                stream.avail_in = UInt32(input.count - pendingStart)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(maxOutput)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed = input.count - pendingStart - Int(stream.avail_in)
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
        output.append(contentsOf: chunk[0..<produced])
        return output.count - oldCount
    }
}
