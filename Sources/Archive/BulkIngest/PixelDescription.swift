/// What a compressed or decoded image says about its pixels: the values of the Image Pixel Module
/// (PS3.3 §C.7.6.3) the content determines, and the transfer syntax that carries it.
struct PixelDescription: Sendable, Hashable {
    var rows: Int
    var columns: Int
    var samplesPerPixel: Int
    /// The sample precision of the stream.
    var bitsStored: Int
    /// Whether samples are signed, when the stream says (JPEG 2000 does; JPEG does not).
    var isSigned: Bool?
    /// The Photometric Interpretation the stream implies, or `nil` when only the sender can know.
    var photometricInterpretation: String
    /// Other Photometric Interpretations a sender may legitimately have given for this stream.
    var acceptablePhotometricInterpretations: Set<String> = []
    /// The transfer syntax UID.
    var transferSyntaxUID: String
    /// Frames in the stream, when it says (video).
    var numberOfFrames: Int? = nil
    /// Milliseconds per frame, when the stream says (video).
    var frameTime: Double? = nil

    /// Bits Allocated for `bitsStored`: 8, 16 or 32.
    var bitsAllocated: Int { bitsStored <= 8 ? 8 : bitsStored <= 16 ? 16 : 32 }
}
