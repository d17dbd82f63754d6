/// The codecs Lantern has, by transfer syntax: what can be decoded to native frames and what native frames can
/// be encoded to (PS3.5 §8.2, Annex A.4): RLE Lossless in Swift; JPEG, JPEG-LS, JPEG 2000 and HTJ2K (decoding)
/// through the field's C libraries.
public enum FrameCodecs {
    private static var codecs: [any FrameCodec.Type] {
        [RLECodec.self, JPEGCodec.self, JPEGLSCodec.self, JPEG2000Codec.self]
    }

    private static func decoder(_ transferSyntaxUID: String) throws(CodecError) -> any FrameCodec.Type {
        guard let codec = codecs.first(where: { $0.decodable.contains(transferSyntaxUID) }) else {
            throw CodecError(.unsupported, "no decoder for transfer syntax \(transferSyntaxUID)")
        }
        return codec
    }

    private static func encoder(_ transferSyntaxUID: String) throws(CodecError) -> any FrameCodec.Type {
        guard let codec = codecs.first(where: { $0.encodable.contains(transferSyntaxUID) }) else {
            throw CodecError(.unsupported, "no encoder for transfer syntax \(transferSyntaxUID)")
        }
        return codec
    }

    /// Every syntax some codec decodes, and every one some codec encodes: asked on every retrieve, so built once.
    private static let decodableSyntaxes: Set<String> = codecs.reduce(into: []) { $0.formUnion($1.decodable) }
    private static let encodableSyntaxes: Set<String> = codecs.reduce(into: []) { $0.formUnion($1.encodable) }

    /// Whether frames of `transferSyntaxUID` can be decoded.
    public static func canDecode(_ transferSyntaxUID: String) -> Bool {
        decodableSyntaxes.contains(transferSyntaxUID)
    }

    /// Whether native frames can be encoded in `transferSyntaxUID`.
    public static func canEncode(_ transferSyntaxUID: String) -> Bool {
        encodableSyntaxes.contains(transferSyntaxUID)
    }

    /// The transfer syntaxes native frames can be encoded in, lossless ones first (computed once: every frame
    /// and instance retrieve offers them).
    public static let encodable: [String] = {
        let lossless = encodableSyntaxes.filter { lossyMethod($0) == nil }.sorted()
        return lossless + encodableSyntaxes.subtracting(lossless).sorted()
    }()

    /// The Lossy Image Compression Method (0028,2114) defined term of a lossy transfer syntax (PS3.3
    /// §C.7.6.1.1.5.1), nil for a lossless one.
    public static func lossyMethod(_ transferSyntaxUID: String) -> String? {
        switch transferSyntaxUID {
        case JPEGCodec.baseline, JPEGCodec.extended: "ISO_10918_1"
        case JPEGLSCodec.nearLossless: "ISO_14495_1"
        case JPEG2000Codec.lossy: "ISO_15444_1"
        case JPEG2000Codec.htLossy: "ISO_15444_15"
        default: nil
        }
    }

    /// The geometry of the native frames decoded from `transferSyntaxUID` (see each codec's colour rules).
    public static func decodedGeometry(_ geometry: FrameGeometry, from transferSyntaxUID: String) -> FrameGeometry {
        (try? decoder(transferSyntaxUID))?.decodedGeometry(geometry, from: transferSyntaxUID) ?? geometry
    }

    /// The geometry the data set says once native frames of `geometry` are encoded in `transferSyntaxUID`.
    public static func encodedGeometry(_ geometry: FrameGeometry, in transferSyntaxUID: String) -> FrameGeometry {
        (try? encoder(transferSyntaxUID))?.encodedGeometry(geometry, in: transferSyntaxUID) ?? geometry
    }

    /// Throws ``CodecError/Code/unsupported`` when native frames of `geometry` cannot be encoded in
    /// `transferSyntaxUID` (check before a response starts).
    public static func checkEncodable(_ geometry: FrameGeometry, in transferSyntaxUID: String) throws(CodecError) {
        try encoder(transferSyntaxUID).checkEncodable(geometry, in: transferSyntaxUID)
    }

    /// Throws ``CodecError/Code/unsupported`` when frames of `geometry` in `transferSyntaxUID` cannot be decoded
    /// (check before a response starts).
    public static func checkDecodable(_ geometry: FrameGeometry, from transferSyntaxUID: String) throws(CodecError) {
        try decoder(transferSyntaxUID).checkDecodable(geometry, from: transferSyntaxUID)
    }

    /// Decodes one frame of `transferSyntaxUID` into a native frame of ``decodedGeometry(_:from:)`` (little
    /// endian, in its Planar Configuration).
    public static func decode(
        _ encoded: [UInt8], transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try decoder(transferSyntaxUID).decode(encoded, from: transferSyntaxUID, geometry: geometry)
    }

    /// Encodes one native frame in `transferSyntaxUID`.
    public static func encode(
        _ native: some RandomAccessCollection<UInt8>, transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try encoder(transferSyntaxUID).encode(native, in: transferSyntaxUID, geometry: geometry)
    }
}
