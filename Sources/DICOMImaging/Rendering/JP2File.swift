/// A rendered image as a JPEG 2000 file (`image/jp2`, ISO/IEC 15444-1 Annex I, RFC 3745): the JP2 boxes
/// (signature, file type, header with image header and colour specification) around a lossless codestream
/// written by OpenJPEG (the codec of JPEG 2000 Lossless transfer syntax, 1.2.840.10008.1.2.4.90).
enum JP2File {
    /// The JPEG 2000 Image Compression (Lossless Only) transfer syntax, whose encoder writes the codestream.
    static let losslessSyntax = "1.2.840.10008.1.2.4.90"

    /// The JP2 file of `image` (8 bits per sample, grey or RGB).
    static func encode(_ image: RenderedImage) throws(CodecError) -> [UInt8] {
        let geometry = FrameGeometry(
            rows: image.height, columns: image.width, samplesPerPixel: image.channels, bitsAllocated: 8,
            bitsStored: 8, photometricInterpretation: image.channels == 3 ? "RGB" : "MONOCHROME2")
        let codestream = try FrameCodecs.encode(image.pixels, transferSyntaxUID: losslessSyntax, geometry: geometry)
        return wrap(codestream, width: image.width, height: image.height, channels: image.channels)
    }

    /// `codestream` in the boxes of a JP2 file (§I.5).
    static func wrap(_ codestream: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        func u32(_ v: Int) -> [UInt8] {
            [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        func box(_ type: String, _ content: [UInt8]) -> [UInt8] { u32(8 + content.count) + Array(type.utf8) + content }
        let signature = box("jP  ", [0x0D, 0x0A, 0x87, 0x0A])
        let fileType = box("ftyp", Array("jp2 ".utf8) + u32(0) + Array("jp2 ".utf8))
        // Image header: height, width, components, bits per component − 1 (unsigned), compression type 7,
        // colour space known, no intellectual property box.
        let imageHeader = box(
            "ihdr", u32(height) + u32(width) + [UInt8(channels >> 8), UInt8(channels & 0xFF), 7, 7, 0, 0])
        // Colour specification: enumerated, sRGB (16) or greyscale (17).
        let colour = box("colr", [1, 0, 0] + u32(channels == 3 ? 16 : 17))
        return signature + fileType + box("jp2h", imageHeader + colour) + box("jp2c", codestream)
    }
}
