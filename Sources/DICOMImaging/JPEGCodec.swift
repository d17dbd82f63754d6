import CLanternCodecs

/// JPEG (ISO 10918-1; PS3.5 §8.2.1, §A.4.1): baseline 8-bit (process 1) and extended 12-bit (process 2 & 4)
/// lossy frames, and lossless process 14 (any predictor; selection value 1 for .70), through libjpeg-turbo
/// and GDCM's IJG builds.
///
/// - Decoding: a lossy colour frame whose data set says YBR_FULL or YBR_FULL_422 is converted to RGB at full
///   resolution (as DCMTK and GDCM do); one that says RGB follows the codestream's JFIF / Adobe markers. The
///   decoded data set then says RGB. Lossless frames are decoded as coded.
/// - Encoding: lossy at quality 90 with no chroma subsampling, RGB converted to YCbCr (the data set then says
///   YBR_FULL); lossless with the first-order predictor (selection value 1), samples as they are.
public enum JPEGCodec: FrameCodec {
    /// JPEG Baseline (Process 1).
    public static let baseline = "1.2.840.10008.1.2.4.50"
    /// JPEG Extended (Process 2 & 4).
    public static let extended = "1.2.840.10008.1.2.4.51"
    /// JPEG Lossless, Non-Hierarchical (Process 14).
    public static let lossless = "1.2.840.10008.1.2.4.57"
    /// JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1).
    public static let losslessSV1 = "1.2.840.10008.1.2.4.70"
    /// The lossy encoder's quality (1–100).
    static let quality: Int32 = 90

    static var decodable: Set<String> { [baseline, extended, lossless, losslessSV1] }
    static var encodable: Set<String> { [baseline, extended, lossless, losslessSV1] }

    private static func isLossy(_ transferSyntaxUID: String) -> Bool {
        transferSyntaxUID == baseline || transferSyntaxUID == extended
    }

    private static func isYBR(_ geometry: FrameGeometry) -> Bool {
        geometry.samplesPerPixel == 3 && geometry.photometricInterpretation.hasPrefix("YBR")
    }

    static func decodedGeometry(_ geometry: FrameGeometry, from transferSyntaxUID: String) -> FrameGeometry {
        var output = geometry
        if isLossy(transferSyntaxUID) && geometry.samplesPerPixel == 3 { output.photometricInterpretation = "RGB" }
        return output
    }

    static func encodedGeometry(_ geometry: FrameGeometry, in transferSyntaxUID: String) -> FrameGeometry {
        var output = geometry
        output.planarConfiguration = 0
        if isLossy(transferSyntaxUID) && geometry.photometricInterpretation == "RGB" {
            output.photometricInterpretation = "YBR_FULL"
        }
        return output
    }

    static func checkDecodable(_ geometry: FrameGeometry, from transferSyntaxUID: String) throws(CodecError) {
        if !isLossy(transferSyntaxUID) && geometry.isSubsampled {
            throw CodecError(.unsupported, "lossless JPEG of subsampled \(geometry.photometricInterpretation) frames")
        }
        try LibraryCodec.checkSamples(decodedGeometry(geometry, from: transferSyntaxUID), "JPEG")
    }

    static func checkEncodable(_ geometry: FrameGeometry, in transferSyntaxUID: String) throws(CodecError) {
        try LibraryCodec.checkSamples(geometry, "JPEG")
        guard isLossy(transferSyntaxUID) else {
            guard (2...16).contains(geometry.bitsStored) else {
                throw CodecError(.unsupported, "lossless JPEG holds 2 to 16 bits, not \(geometry.bitsStored)")
            }
            return
        }
        let limit = transferSyntaxUID == baseline ? 8 : 12
        guard geometry.bitsStored <= limit, geometry.pixelRepresentation == 0 else {
            throw CodecError(
                .unsupported,
                "\(transferSyntaxUID == baseline ? "JPEG Baseline" : "JPEG Extended") holds unsigned samples of up to \(limit) bits, not \(geometry.pixelRepresentation == 1 ? "signed " : "")\(geometry.bitsStored)"
            )
        }
        guard geometry.photometricInterpretation != "PALETTE COLOR" else {
            throw CodecError(.unsupported, "lossy compression of palette indices would change the colours")
        }
    }

    static func decode(
        _ encoded: [UInt8], from transferSyntaxUID: String, geometry: FrameGeometry
    )
        throws(CodecError) -> [UInt8]
    {
        try checkDecodable(geometry, from: transferSyntaxUID)
        let color: Int32 =
            geometry.samplesPerPixel != 3
            ? Int32(LANTERN_JPEG_COLOR_RAW)
            : isYBR(geometry) ? Int32(LANTERN_JPEG_COLOR_YCC_TO_RGB) : Int32(LANTERN_JPEG_COLOR_INFER)
        return try LibraryCodec.decode(encoded, output: decodedGeometry(geometry, from: transferSyntaxUID), "JPEG") {
            lantern_jpeg_decode($0, $1, $2, color, $3, $4, $5, $6)
        }
    }

    static func encode(
        _ native: some RandomAccessCollection<UInt8>, in transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try checkEncodable(geometry, in: transferSyntaxUID)
        let predictor: Int32 = isLossy(transferSyntaxUID) ? 0 : 1
        let ycc: Int32 = isYBR(geometry) ? 1 : 0
        return try LibraryCodec.encode(native, input: geometry, "JPEG") {
            lantern_jpeg_encode($0, $1, $2, predictor, quality, ycc, $3, $4, $5, $6)
        }
    }
}
