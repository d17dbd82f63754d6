import CLanternCodecs

/// The image formats rendered frames are written in (PS3.18 §8.7.4, Table 8.7.4-1): JPEG (baseline, 8-bit,
/// libjpeg-turbo), PNG, GIF (several frames make an animation) and JPEG 2000 (a lossless JP2 file, OpenJPEG;
/// offered by WADO-URI).
public enum RenderedFormat: String, Hashable, Sendable, CaseIterable {
    /// `image/jpeg`.
    case jpeg = "image/jpeg"
    /// `image/png`.
    case png = "image/png"
    /// `image/gif`.
    case gif = "image/gif"
    /// `image/jp2`.
    case jp2 = "image/jp2"

    /// The JPEG quality when the request names none.
    public static let defaultQuality = 90

    /// Whether the format takes a `quality` (lossy formats only, §8.3.5.1.2).
    public var isLossy: Bool { self == .jpeg }

    /// Whether several frames can be written as one image (an animation).
    public var isAnimated: Bool { self == .gif }

    /// The file of `frames` (one, or several for an animation; same size and channels) in this format;
    /// `delay` is the time per frame of an animation, in hundredths of a second.
    public func encode(_ frames: [RenderedImage], quality: Int? = nil, delay: Int = 10) throws(CodecError) -> [UInt8] {
        guard let first = frames.first else { throw CodecError(.invalidGeometry, "nothing to encode") }
        switch self {
        case .png: return PNGEncoder.encode(first)
        case .gif: return GIFEncoder.encode(frames, delay: delay)
        case .jp2: return try JP2File.encode(first)
        case .jpeg:
            let q = Int32(max(1, min(100, quality ?? Self.defaultQuality)))
            let geometry = FrameGeometry(
                rows: first.height, columns: first.width, samplesPerPixel: first.channels, bitsAllocated: 8,
                bitsStored: 8, photometricInterpretation: first.channels == 3 ? "RGB" : "MONOCHROME2")
            return try LibraryCodec.encode(first.pixels, input: geometry, "JPEG") {
                lantern_jpeg_encode($0, $1, $2, 0, q, 0, $3, $4, $5, $6)
            }
        }
    }
}
