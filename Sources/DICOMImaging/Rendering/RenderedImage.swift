/// A frame rendered for display (PS3.18 §8.3.5.1): 8-bit samples, grey (one per pixel) or RGB (three,
/// interleaved), row by row.
public struct RenderedImage: Hashable, Sendable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// width × height × channels samples.
    public var pixels: [UInt8]

    /// Creates an image; `pixels` holds width × height × channels samples.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}
