import CZlib

/// Incremental raw-deflate compression (RFC 1951, no zlib header) of a data set written for the Deflated
/// Explicit VR Little Endian transfer syntax (PS3.5 §A.5), in chunks, so a converted instance never sits in
/// memory.
///
/// A class because zlib keeps a pointer back to its `z_stream`, which therefore must not move. It is confined
/// to the conversion that owns it and never shared across tasks.
public final class StreamingDeflater {
    private var stream = z_stream()
    private var finished = false

    /// A deflater at zlib's default level.
    public init(level: Int32 = 6) throws(DICOMWriteError) {
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DICOMWriteError(message: "deflateInit2 failed (\(status))") }
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `bytes`; with `finish`, also ends the stream. Returns the compressed bytes produced so far.
    public func compress(_ bytes: [UInt8], finish: Bool = false) throws(DICOMWriteError) -> [UInt8] {
        guard !finished else { return [] }
        var input = bytes
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = UInt32(inp.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                output += chunk[0..<produced]
            } while status == Z_OK
                && (stream.avail_in > 0 || stream.avail_out == 0 || (finish && status != Z_STREAM_END))
            stream.next_in = nil
        }
        if finish {
            guard status == Z_STREAM_END else {
                throw DICOMWriteError(message: "deflate failed (zlib status \(status))")
            }
            finished = true
        } else if status != Z_OK && status != Z_BUF_ERROR {
            throw DICOMWriteError(message: "deflate failed (zlib status \(status))")
        }
        return output
    }
}
