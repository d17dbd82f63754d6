import CZlib

/// Raw-deflate compression of a whole data set for Deflated Explicit VR Little Endian (PS3.5 §A.5).
enum Deflater {
    static func compress(_ bytes: [UInt8], level: Int32 = 6) throws(DICOMWriteError) -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else {
            throw DICOMWriteError(message: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var status: Int32 = Z_OK
        var produced = 0
        input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                status = deflate(&stream, Z_FINISH)
                produced = out.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw DICOMWriteError(message: "deflate failed (zlib status \(status))") }
        return Array(output[0..<produced])
    }
}
