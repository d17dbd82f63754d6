import CLanternCodecs
import CLanternOpenJPH

/// JPEG 2000 (ISO 15444-1; PS3.5 §8.2.4, §A.4.4) through OpenJPEG: decodes Part 1 frames (lossless and lossy)
/// and High-Throughput frames (ISO 15444-15, §8.2.15: lossless, RPCL lossless, lossy); encodes Part 1,
/// reversible 5/3 for lossless and irreversible 9/7 at a target PSNR of 45 dB for lossy; encodes HTJ2K through
/// OpenJPH (reversible, the RPCL variant with that progression, lossy with a quantization step of 1/2048 of the
/// sample range). No multi-component transform: the data set keeps its Photometric Interpretation. Frames whose data set says YBR_RCT or YBR_ICT are
/// decoded to RGB (the codestream's inverse transform) and the decoded data set says RGB.
public enum JPEG2000Codec: FrameCodec {
    /// JPEG 2000 Image Compression (Lossless Only).
    public static let lossless = "1.2.840.10008.1.2.4.90"
    /// JPEG 2000 Image Compression.
    public static let lossy = "1.2.840.10008.1.2.4.91"
    /// High-Throughput JPEG 2000 Image Compression (Lossless Only).
    public static let htLossless = "1.2.840.10008.1.2.4.201"
    /// High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only).
    public static let htLosslessRPCL = "1.2.840.10008.1.2.4.202"
    /// High-Throughput JPEG 2000 Image Compression.
    public static let htLossy = "1.2.840.10008.1.2.4.203"
    /// The lossy encoder's target peak signal-to-noise ratio, in dB (about 1.4 grey levels RMS at 8 bits).
    static let psnr: Float = 45

    static var decodable: Set<String> { [lossless, lossy, htLossless, htLosslessRPCL, htLossy] }
    static var encodable: Set<String> { [lossless, lossy, htLossless, htLosslessRPCL, htLossy] }

    static func decodedGeometry(_ geometry: FrameGeometry, from transferSyntaxUID: String) -> FrameGeometry {
        var output = geometry
        if ["YBR_RCT", "YBR_ICT"].contains(geometry.photometricInterpretation) {
            output.photometricInterpretation = "RGB"
        }
        return output
    }

    static func encodedGeometry(_ geometry: FrameGeometry, in transferSyntaxUID: String) -> FrameGeometry {
        var output = geometry
        output.planarConfiguration = 0
        return output
    }

    static func checkDecodable(_ geometry: FrameGeometry, from transferSyntaxUID: String) throws(CodecError) {
        try LibraryCodec.checkSamples(decodedGeometry(geometry, from: transferSyntaxUID), "JPEG 2000")
    }

    static func checkEncodable(_ geometry: FrameGeometry, in transferSyntaxUID: String) throws(CodecError) {
        try LibraryCodec.checkSamples(geometry, "JPEG 2000")
        if transferSyntaxUID == lossy || transferSyntaxUID == htLossy,
            geometry.photometricInterpretation == "PALETTE COLOR"
        {
            throw CodecError(.unsupported, "lossy compression of palette indices would change the colours")
        }
    }

    static func decode(
        _ encoded: [UInt8], from transferSyntaxUID: String, geometry: FrameGeometry
    )
        throws(CodecError) -> [UInt8]
    {
        try checkDecodable(geometry, from: transferSyntaxUID)
        return try LibraryCodec.decode(
            encoded, output: decodedGeometry(geometry, from: transferSyntaxUID), "JPEG 2000"
        ) { lantern_j2k_decode($0, $1, $2, $3, $4, $5, $6) }
    }

    static func encode(
        _ native: some RandomAccessCollection<UInt8>, in transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try checkEncodable(geometry, in: transferSyntaxUID)
        if [htLossless, htLosslessRPCL, htLossy].contains(transferSyntaxUID) {
            let reversible: Int32 = transferSyntaxUID == htLossy ? 0 : 1
            let rpcl: Int32 = transferSyntaxUID == htLosslessRPCL ? 1 : 0
            let delta = Float(1.0 / 2048.0)
            return try LibraryCodec.encode(native, input: geometry, "HTJ2K") {
                source, length, frame, out, outLength, text, textLength in
                let f = frame.pointee
                return lantern_htj2k_encode(
                    source, length, f.width, f.height, f.components, f.bytes_per_sample, f.precision, f.is_signed,
                    reversible, delta, rpcl, out, outLength, text, textLength)
            }
        }
        let reversible: Int32 = transferSyntaxUID == lossless ? 1 : 0
        return try LibraryCodec.encode(native, input: geometry, "JPEG 2000") {
            lantern_j2k_encode($0, $1, $2, reversible, psnr, $3, $4, $5, $6)
        }
    }
}
