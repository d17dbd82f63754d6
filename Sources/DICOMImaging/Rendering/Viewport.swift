/// The viewport of a rendered image (PS3.18 §8.3.5.1.3): the source region (sx, sy, sw, sh; missing values are
/// the whole image, a negative width or height flips) cut out of the rendered frame, then scaled, keeping its
/// aspect ratio, to the largest size that fits vw × vh. The image returned has that fitted size (it is not
/// padded to vw × vh); a region reaching past the image is clipped to it.
public struct Viewport: Hashable, Sendable {
    /// Viewport width and height, in pixels.
    public var width: Int
    /// Viewport height, in pixels.
    public var height: Int
    /// Region left edge (pixels from the left, 0 at the edge), nil for 0.
    public var sourceX: Double?
    /// Region top edge, nil for 0.
    public var sourceY: Double?
    /// Region width (negative flips horizontally), nil for up to the right edge.
    public var sourceWidth: Double?
    /// Region height (negative flips vertically), nil for down to the bottom edge.
    public var sourceHeight: Double?
    /// The most pixels the scaled image may have (the server's `max-rendered-pixels`), nil for no limit but
    /// 16384 a side: a viewport that would scale past it is refused before any pixel is scaled.
    public var maximumPixels: Int?

    /// Creates a viewport.
    public init(
        width: Int, height: Int, sourceX: Double? = nil, sourceY: Double? = nil, sourceWidth: Double? = nil,
        sourceHeight: Double? = nil
    ) {
        self.width = width
        self.height = height
        self.sourceX = sourceX
        self.sourceY = sourceY
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
    }

    /// The largest size with the aspect ratio of `width` × `height` that fits the viewport (at least 1 × 1).
    public func fitted(width sourceWidth: Double, height sourceHeight: Double) -> (width: Int, height: Int) {
        let scale = min(Double(width) / sourceWidth, Double(height) / sourceHeight)
        return (
            max(1, min(width, Int((sourceWidth * scale).rounded()))),
            max(1, min(height, Int((sourceHeight * scale).rounded())))
        )
    }

    /// `image` cut to the region and scaled to fit.
    public func apply(to image: RenderedImage) throws(CodecError) -> RenderedImage {
        guard width > 0, height > 0, width <= 16384, height <= 16384 else {
            throw CodecError(.invalidParameter, "viewport \(width) × \(height) is out of range (1 to 16384)")
        }
        let x0 = max(0, min(Double(image.width), sourceX ?? 0))
        let y0 = max(0, min(Double(image.height), sourceY ?? 0))
        let w = min(Double(image.width) - x0, abs(sourceWidth ?? Double(image.width) - x0))
        let h = min(Double(image.height) - y0, abs(sourceHeight ?? Double(image.height) - y0))
        guard w >= 1, h >= 1 else {
            throw CodecError(
                .invalidParameter,
                "the viewport's source region lies outside the \(image.width) × \(image.height) image"
            )
        }
        let size = fitted(width: w, height: h)
        if let maximumPixels, size.width * size.height > maximumPixels {
            throw CodecError(
                .invalidParameter,
                "the rendered image would be \(size.width) × \(size.height) pixels, more than the server's limit of "
                    + "\(maximumPixels) (max-rendered-pixels)")
        }
        return Resampler.resample(
            image, x: x0, y: y0, width: w, height: h, to: size.width, size.height,
            flipX: (sourceWidth ?? 0) < 0, flipY: (sourceHeight ?? 0) < 0)
    }
}

/// Scaling of rendered images: an area average when shrinking (every source pixel counts, as a thumbnail
/// needs), bilinear interpolation when enlarging.
enum Resampler {
    static func resample(
        _ image: RenderedImage, x: Double, y: Double, width: Double, height: Double, to outWidth: Int,
        _ outHeight: Int, flipX: Bool = false, flipY: Bool = false
    ) -> RenderedImage {
        let channels = image.channels
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * channels)
        let scaleX = width / Double(outWidth)
        let scaleY = height / Double(outHeight)
        image.pixels.withUnsafeBufferPointer { source in
            for oy in 0..<outHeight {
                let row = flipY ? outHeight - 1 - oy : oy
                for ox in 0..<outWidth {
                    let column = flipX ? outWidth - 1 - ox : ox
                    let target = (row * outWidth + column) * channels
                    if scaleX > 1 || scaleY > 1 {
                        // The source pixels under this output pixel, averaged.
                        let left = Int((x + Double(ox) * scaleX).rounded(.down))
                        let right = max(left + 1, min(image.width, Int((x + Double(ox + 1) * scaleX).rounded(.up))))
                        let top = Int((y + Double(oy) * scaleY).rounded(.down))
                        let bottom = max(top + 1, min(image.height, Int((y + Double(oy + 1) * scaleY).rounded(.up))))
                        for c in 0..<channels {
                            var sum = 0
                            for sy in top..<bottom {
                                for sx in left..<right { sum += Int(source[(sy * image.width + sx) * channels + c]) }
                            }
                            let count = (bottom - top) * (right - left)
                            out[target + c] = UInt8((sum + count / 2) / count)
                        }
                    } else {
                        let sx = max(0, min(Double(image.width - 1), x + (Double(ox) + 0.5) * scaleX - 0.5))
                        let sy = max(0, min(Double(image.height - 1), y + (Double(oy) + 0.5) * scaleY - 0.5))
                        let x1 = Int(sx)
                        let y1 = Int(sy)
                        let x2 = min(image.width - 1, x1 + 1)
                        let y2 = min(image.height - 1, y1 + 1)
                        let fx = sx - Double(x1)
                        let fy = sy - Double(y1)
                        for c in 0..<channels {
                            func at(_ px: Int, _ py: Int) -> Double {
                                Double(source[(py * image.width + px) * channels + c])
                            }
                            let top = at(x1, y1) * (1 - fx) + at(x2, y1) * fx
                            let bottom = at(x1, y2) * (1 - fx) + at(x2, y2) * fx
                            out[target + c] = UInt8(max(0, min(255, (top * (1 - fy) + bottom * fy).rounded())))
                        }
                    }
                }
            }
        }
        return RenderedImage(width: outWidth, height: outHeight, channels: channels, pixels: out)
    }
}
