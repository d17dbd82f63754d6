import CZlib

/// Puts an ICC profile into a rendered image file (PS3.18 §8.3.5.1.5, `iccprofile=yes`): JPEG APP2
/// `ICC_PROFILE` segments after SOI (ICC.1 Annex B.4: at most 65,519 bytes each, numbered from 1), or a PNG
/// `iCCP` chunk before the image data (ISO/IEC 15948 §11.3.3.3: name, compression method 0, zlib data).
public enum ICCProfileEmbedding {
    /// `file` (a JPEG or PNG written by ``RenderedFormat``) with `profile` embedded; nil for other formats.
    public static func embed(_ profile: [UInt8], in file: [UInt8], format: RenderedFormat) -> [UInt8]? {
        switch format {
        case .jpeg: return jpeg(profile, file)
        case .png: return png(profile, file)
        case .gif, .jp2: return nil
        }
    }

    static func jpeg(_ profile: [UInt8], _ file: [UInt8]) -> [UInt8]? {
        guard file.count >= 2, file[0] == 0xFF, file[1] == 0xD8, !profile.isEmpty else { return nil }
        let chunk = 65_519
        let count = (profile.count + chunk - 1) / chunk
        guard count <= 255 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        for index in 0..<count {
            let part = profile[(index * chunk)..<min(profile.count, (index + 1) * chunk)]
            let length = 2 + 12 + 2 + part.count
            out += [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)]
            out += Array("ICC_PROFILE".utf8) + [0, UInt8(index + 1), UInt8(count)]
            out += part
        }
        return out + file[2...]
    }

    static func png(_ profile: [UInt8], _ file: [UInt8]) -> [UInt8]? {
        // The signature (8 bytes) and IHDR (25 bytes) come first; iCCP must precede IDAT.
        guard file.count > 33, !profile.isEmpty else { return nil }
        var size = compressBound(uLong(profile.count))
        var compressed = [UInt8](repeating: 0, count: Int(size))
        let status = compressed.withUnsafeMutableBufferPointer { target in
            profile.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &size, source.baseAddress, uLong(profile.count), 6)
            }
        }
        guard status == Z_OK else { return nil }
        let body = Array("ICC Profile".utf8) + [0, 0] + compressed.prefix(Int(size))
        return Array(file[..<33]) + PNGEncoder.chunk("iCCP", body) + file[33...]
    }
}
