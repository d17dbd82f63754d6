/// The codecs Lantern has, by transfer syntax: what can be decoded to native frames and what native frames can
/// be encoded to (PS3.5 §8.2, Annex A.4). For now RLE Lossless, written in Swift.
public enum FrameCodecs {
    /// Whether frames of `transferSyntaxUID` can be decoded.
    public static func canDecode(_ transferSyntaxUID: String) -> Bool {
        transferSyntaxUID == RLECodec.transferSyntaxUID
    }

    /// Whether native frames can be encoded in `transferSyntaxUID`.
    public static func canEncode(_ transferSyntaxUID: String) -> Bool {
        transferSyntaxUID == RLECodec.transferSyntaxUID
    }

    /// Throws ``CodecError/Code/unsupported`` when native frames of `geometry` cannot be encoded in
    /// `transferSyntaxUID` (check before a response starts).
    public static func checkEncodable(_ geometry: FrameGeometry, in transferSyntaxUID: String) throws(CodecError) {
        guard canEncode(transferSyntaxUID) else {
            throw CodecError(.unsupported, "no encoder for transfer syntax \(transferSyntaxUID)")
        }
        try RLECodec.check(geometry)
    }

    /// Throws ``CodecError/Code/unsupported`` when frames of `geometry` in `transferSyntaxUID` cannot be decoded
    /// (check before a response starts).
    public static func checkDecodable(_ geometry: FrameGeometry, from transferSyntaxUID: String) throws(CodecError) {
        guard canDecode(transferSyntaxUID) else {
            throw CodecError(.unsupported, "no decoder for transfer syntax \(transferSyntaxUID)")
        }
        try RLECodec.check(geometry)
    }

    /// Decodes one frame of `transferSyntaxUID` into a native frame (interleaved, little endian).
    public static func decode(
        _ encoded: [UInt8], transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        switch transferSyntaxUID {
        case RLECodec.transferSyntaxUID: return try RLECodec.decode(encoded, geometry: geometry)
        default: throw CodecError(.unsupported, "no decoder for transfer syntax \(transferSyntaxUID)")
        }
    }

    /// Encodes one native frame in `transferSyntaxUID`.
    public static func encode(
        _ native: some RandomAccessCollection<UInt8>, transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try checkEncodable(geometry, in: transferSyntaxUID)
        switch transferSyntaxUID {
        case RLECodec.transferSyntaxUID: return try RLECodec.encode(native, geometry: geometry)
        default: throw CodecError(.unsupported, "no encoder for transfer syntax \(transferSyntaxUID)")
        }
    }
}
