import CLanternCodecs

/// JPEG-LS (ISO 14495-1; PS3.5 §8.2.3, §A.4.3) through CharLS: lossless, and near-lossless with NEAR = 2 when
/// encoding (unsigned samples only). Samples are coded as they are (no colour transform), interleaved by sample.
public enum JPEGLSCodec: FrameCodec {
    /// JPEG-LS Lossless Image Compression.
    public static let lossless = "1.2.840.10008.1.2.4.80"
    /// JPEG-LS Lossy (Near-Lossless) Image Compression.
    public static let nearLossless = "1.2.840.10008.1.2.4.81"
    /// The largest error the near-lossless encoder allows.
    static let near: Int32 = 2

    static var decodable: Set<String> { [lossless, nearLossless] }
    static var encodable: Set<String> { [lossless, nearLossless] }

    static func encodedGeometry(_ geometry: FrameGeometry, in transferSyntaxUID: String) -> FrameGeometry {
        var output = geometry
        output.planarConfiguration = 0
        return output
    }

    static func checkDecodable(_ geometry: FrameGeometry, from transferSyntaxUID: String) throws(CodecError) {
        try LibraryCodec.checkSamples(geometry, "JPEG-LS")
    }

    static func checkEncodable(_ geometry: FrameGeometry, in transferSyntaxUID: String) throws(CodecError) {
        try LibraryCodec.checkSamples(geometry, "JPEG-LS")
        guard geometry.bitsStored >= 2 else {
            throw CodecError(.unsupported, "JPEG-LS holds 2 to 16 bits, not \(geometry.bitsStored)")
        }
        guard transferSyntaxUID == nearLossless else { return }
        if geometry.photometricInterpretation == "PALETTE COLOR" {
            throw CodecError(.unsupported, "lossy compression of palette indices would change the colours")
        }
        // JPEG-LS codes bit patterns: a near-lossless error across the sign boundary of two's complement
        // samples would turn a large negative value into a large positive one.
        if geometry.pixelRepresentation == 1 {
            throw CodecError(.unsupported, "near-lossless JPEG-LS of signed samples is not supported")
        }
    }

    static func decode(
        _ encoded: [UInt8], from transferSyntaxUID: String, geometry: FrameGeometry
    )
        throws(CodecError) -> [UInt8]
    {
        try checkDecodable(geometry, from: transferSyntaxUID)
        return try LibraryCodec.decode(encoded, output: geometry, "JPEG-LS") {
            lantern_jls_decode($0, $1, $2, $3, $4, $5, $6)
        }
    }

    static func encode(
        _ native: some RandomAccessCollection<UInt8>, in transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try checkEncodable(geometry, in: transferSyntaxUID)
        let near: Int32 = transferSyntaxUID == nearLossless ? Self.near : 0
        return try LibraryCodec.encode(native, input: geometry, "JPEG-LS") {
            lantern_jls_encode($0, $1, $2, near, $3, $4, $5, $6)
        }
    }
}
