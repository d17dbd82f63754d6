/// GIF89a writer for rendered images: greyscale frames with a 256-level grey palette, colour frames reduced
/// to a fixed 6 × 7 × 6 colour cube (dithering would change pixel values a test can check), LZW-compressed;
/// several frames make an animation that loops, each shown for `delay` hundredths of a second.
public enum GIFEncoder {
    /// The GIF file of `frames` (same size and channels).
    public static func encode(_ frames: [RenderedImage], delay: Int = 10) -> [UInt8] {
        guard let first = frames.first else { return [] }
        var out = header(
            width: first.width, height: first.height, colour: first.channels == 3, animated: frames.count > 1)
        for frame in frames { out += self.frame(frame, delay: delay) }
        return out + trailer
    }

    /// The start of a GIF file: signature, screen descriptor, global palette and, for an animation, the
    /// NETSCAPE2.0 extension that loops it forever.
    public static func header(width: Int, height: Int, colour: Bool, animated: Bool) -> [UInt8] {
        var out = Array("GIF89a".utf8)
        append16(&out, width)
        append16(&out, height)
        out += [0xF7, 0, 0]  // global colour table of 256 entries, 8 bits of colour resolution
        out += palette(colour: colour)
        if animated {
            out += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]
        }
        return out
    }

    /// One image of the file, shown for `delay` hundredths of a second in an animation.
    public static func frame(_ frame: RenderedImage, delay: Int = 10) -> [UInt8] {
        var out: [UInt8] = [0x21, 0xF9, 0x04, 0x00]  // graphic control extension
        append16(&out, max(0, min(65535, delay)))
        out += [0x00, 0x00, 0x2C]  // then the image descriptor
        append16(&out, 0)
        append16(&out, 0)
        append16(&out, frame.width)
        append16(&out, frame.height)
        out += [0x00, 8]  // no local palette; LZW minimum code size
        let data = LZW.compress(indices(frame), minimumCodeSize: 8)
        var at = 0
        while at < data.count {
            let n = min(255, data.count - at)
            out.append(UInt8(n))
            out += data[at..<(at + n)]
            at += n
        }
        out.append(0)
        return out
    }

    /// The end of a GIF file.
    public static let trailer: [UInt8] = [0x3B]

    /// The palette index of every pixel.
    static func indices(_ frame: RenderedImage) -> [UInt8] {
        guard frame.channels == 3 else { return frame.pixels }
        var out = [UInt8](repeating: 0, count: frame.width * frame.height)
        for p in 0..<out.count {
            let r = (Int(frame.pixels[3 * p]) * 5 + 127) / 255
            let g = (Int(frame.pixels[3 * p + 1]) * 6 + 127) / 255
            let b = (Int(frame.pixels[3 * p + 2]) * 5 + 127) / 255
            out[p] = UInt8(r * 42 + g * 6 + b)
        }
        return out
    }

    /// The colour of each palette index: 256 greys, or the 252 colours of the cube (then black).
    static func palette(colour: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<256 {
            if !colour {
                out += [UInt8(i), UInt8(i), UInt8(i)]
            } else if i < 252 {
                out += [UInt8(i / 42 * 255 / 5), UInt8(i / 6 % 7 * 255 / 6), UInt8(i % 6 * 255 / 5)]
            } else {
                out += [0, 0, 0]
            }
        }
        return out
    }

    private static func append16(_ out: inout [UInt8], _ value: Int) {
        out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]
    }
}

/// The variable-length LZW of GIF (GIF89a Appendix F): codes from minimumCodeSize + 1 bits up to 12, packed
/// least significant bit first, a clear code when the table is full.
enum LZW {
    static func compress(_ input: [UInt8], minimumCodeSize: Int) -> [UInt8] {
        let clear = 1 << minimumCodeSize
        let end = clear + 1
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        var width = minimumCodeSize + 1
        func emit(_ code: Int) {
            buffer |= code << bits
            bits += width
            while bits >= 8 {
                out.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                bits -= 8
            }
        }
        // The table maps (prefix code, next byte) to a code.
        var table = [Int32](repeating: -1, count: 4096 * 256)
        var next = end + 1
        emit(clear)
        guard var prefix = input.first.map(Int.init) else {
            emit(end)
            if bits > 0 { out.append(UInt8(buffer & 0xFF)) }
            return out
        }
        for byte in input.dropFirst() {
            let key = prefix << 8 | Int(byte)
            let found = table[key]
            if found >= 0 {
                prefix = Int(found)
                continue
            }
            emit(prefix)
            if next < 4096 {
                table[key] = Int32(next)
                if next == 1 << width && width < 12 { width += 1 }
                next += 1
            } else {
                emit(clear)
                table = [Int32](repeating: -1, count: 4096 * 256)
                next = end + 1
                width = minimumCodeSize + 1
            }
            prefix = Int(byte)
        }
        emit(prefix)
        emit(end)
        if bits > 0 { out.append(UInt8(buffer & 0xFF)) }
        return out
    }
}
