/// A codec of encapsulated frames (PS3.5 §8.2, Annex A.4), registered in ``FrameCodecs``: which transfer
/// syntaxes it decodes and encodes, what the attributes of its output are, and the conversions themselves.
/// Native frames are little endian, in the data set's Planar Configuration.
protocol FrameCodec {
    /// Transfer syntaxes whose frames it decodes.
    static var decodable: Set<String> { get }
    /// Transfer syntaxes it encodes native frames in.
    static var encodable: Set<String> { get }
    /// The geometry of the native frames decoded from frames of `geometry` in `transferSyntaxUID` (the
    /// Photometric Interpretation changes when the codec converts colour).
    static func decodedGeometry(_ geometry: FrameGeometry, from transferSyntaxUID: String) -> FrameGeometry
    /// The geometry the data set says once native frames of `geometry` are encoded in `transferSyntaxUID`.
    static func encodedGeometry(_ geometry: FrameGeometry, in transferSyntaxUID: String) -> FrameGeometry
    /// Throws when frames of `geometry` in `transferSyntaxUID` cannot be decoded.
    static func checkDecodable(_ geometry: FrameGeometry, from transferSyntaxUID: String) throws(CodecError)
    /// Throws when native frames of `geometry` cannot be encoded in `transferSyntaxUID`.
    static func checkEncodable(_ geometry: FrameGeometry, in transferSyntaxUID: String) throws(CodecError)
    /// Decodes one frame into a native frame of ``decodedGeometry(_:from:)``.
    static func decode(
        _ encoded: [UInt8], from transferSyntaxUID: String, geometry: FrameGeometry
    )
        throws(CodecError) -> [UInt8]
    /// Encodes one native frame of `geometry`.
    static func encode(
        _ native: some RandomAccessCollection<UInt8>, in transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8]
}

extension FrameCodec {
    static func decodedGeometry(_ geometry: FrameGeometry, from transferSyntaxUID: String) -> FrameGeometry {
        geometry
    }
    static func encodedGeometry(_ geometry: FrameGeometry, in transferSyntaxUID: String) -> FrameGeometry {
        geometry
    }
}

extension RLECodec: FrameCodec {
    static var decodable: Set<String> { [transferSyntaxUID] }
    static var encodable: Set<String> { [transferSyntaxUID] }
    static func checkDecodable(_ geometry: FrameGeometry, from transferSyntaxUID: String) throws(CodecError) {
        try check(geometry)
    }
    static func checkEncodable(_ geometry: FrameGeometry, in transferSyntaxUID: String) throws(CodecError) {
        try check(geometry)
    }
    static func decode(
        _ encoded: [UInt8], from transferSyntaxUID: String, geometry: FrameGeometry
    )
        throws(CodecError) -> [UInt8]
    {
        try decode(encoded, geometry: geometry)
    }
    static func encode(
        _ native: some RandomAccessCollection<UInt8>, in transferSyntaxUID: String, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try encode(native, geometry: geometry)
    }
}
