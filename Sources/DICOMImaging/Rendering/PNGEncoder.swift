import CZlib

/// PNG (ISO/IEC 15948) writer for rendered images: 8-bit greyscale or truecolour, one IDAT chunk compressed
/// with zlib at its fastest level, every row filtered with the Sub filter (a cheap filter that helps smooth medical images).
public enum PNGEncoder {
    /// The PNG file of `image`.
    public static func encode(_ image: RenderedImage) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        append32(&header, UInt32(image.width))
        append32(&header, UInt32(image.height))
        header += [8, image.channels == 3 ? 2 : 0, 0, 0, 0]  // depth, colour type, compression, filter, interlace
        chunk(&out, "IHDR", header)
        chunk(&out, "IDAT", compress(filtered(image)))
        chunk(&out, "IEND", [])
        return out
    }

    /// The rows, each after its filter type byte (1, Sub: each sample minus the one a pixel to its left).
    private static func filtered(_ image: RenderedImage) -> [UInt8] {
        let stride = image.width * image.channels
        var out = [UInt8](repeating: 0, count: image.height * (stride + 1))
        image.pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for row in 0..<image.height {
                    let from = row * stride
                    let to = row * (stride + 1)
                    target[to] = 1
                    for i in 0..<stride {
                        let left = i >= image.channels ? source[from + i - image.channels] : 0
                        target[to + 1 + i] = source[from + i] &- left
                    }
                }
            }
        }
        return out
    }

    private static func compress(_ data: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { target in
            data.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &size, source.baseAddress, uLong(data.count), 1)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed with \(status) on a buffer of its own bound")
        return Array(out.prefix(Int(size)))
    }

    /// One chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        chunk(&out, type, data)
        return out
    }

    private static func chunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        append32(&out, UInt32(data.count))
        let body = Array(type.utf8) + data
        out += body
        let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        append32(&out, UInt32(crc))
    }

    private static func append32(_ out: inout [UInt8], _ value: UInt32) {
        out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
