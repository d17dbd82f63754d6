import DICOMBinary
import DICOMCore

/// A Grayscale Softcopy Presentation State (PS3.3 §A.33.1) applied to the image it references, for WADO-URI
/// `presentationUID` (PS3.18 §9.5.2.3): its Modality LUT, Softcopy VOI LUT and Presentation LUT Shape replace
/// the image's (an absent one is the identity, PS3.4 §N.2: the image's own is not used), its Displayed Area
/// selects the region, then its rotation and horizontal flip (in that order). Graphic and text annotations, shutters and
/// overlays are not drawn.
public struct PresentationState: Sendable {
    /// The presentation state's attributes.
    public let dataSet: DataSet

    /// Wraps a presentation state's data set.
    public init(_ dataSet: DataSet) { self.dataSet = dataSet }

    /// Whether the state references the image `sopInstanceUID` (Referenced Series Sequence, PS3.3 §C.11.11).
    public func references(_ sopInstanceUID: String) -> Bool {
        for series in dataSet[Tag.referencedSeriesSequence]?.value.items ?? [] {
            for image in series[Tag.referencedImageSequence]?.value.items ?? []
            where image.string(Tag.referencedSOPInstanceUID) == sopInstanceUID {
                return true
            }
        }
        return false
    }

    /// The item of `sequence` that applies to `sopInstanceUID`: one listing it in its Referenced Image
    /// Sequence, else one listing no image (it applies to all).
    private func item(_ sequence: UInt32, for sopInstanceUID: String) -> DataSet? {
        let items = dataSet[Tag(sequence)]?.value.items ?? []
        return items.first { item in
            (item[Tag.referencedImageSequence]?.value.items ?? []).contains {
                $0.string(Tag.referencedSOPInstanceUID) == sopInstanceUID
            }
        } ?? items.first { $0[Tag.referencedImageSequence] == nil }
    }

    /// The image's attributes with the state's transformations in place of its own (``FrameRenderer`` reads
    /// them).
    public func attributes(for image: DataSet, sopInstanceUID: String, geometry: FrameGeometry) -> DataSet {
        var merged = image
        for tag: UInt32 in [
            0x0028_1050, 0x0028_1051, 0x0028_1055, 0x0028_1056, 0x0028_3010, 0x0028_3000, 0x0028_1052, 0x0028_1053,
            0x0028_1054, 0x2050_0020,
        ] {
            merged.remove(Tag(tag))
        }
        for tag: UInt32 in [0x0028_1052, 0x0028_1053, 0x0028_3000] {
            if let element = dataSet[Tag(tag)] { merged.set(element) }
        }
        if let voi = item(0x0028_3110, for: sopInstanceUID) {
            for tag: UInt32 in [0x0028_1050, 0x0028_1051, 0x0028_1056, 0x0028_3010] {
                if let element = voi[Tag(tag)] { merged.set(element) }
            }
        } else {
            // Identity VOI: the whole range of the modality values, linearly.
            let values = RenderAttributes(dataSet: merged)
            let slope = values.numbers(0x0028_1053).first ?? 1
            let intercept = values.numbers(0x0028_1052).first ?? 0
            let low = Double(geometry.pixelRepresentation == 1 ? -(1 << (geometry.bitsStored - 1)) : 0)
            let high = low + Double(1 << geometry.bitsStored) - 1
            let ends = [low * slope + intercept, high * slope + intercept]
            let center = (ends[0] + ends[1]) / 2
            let width = max(abs(ends[1] - ends[0]), 1)
            merged.set(DataElement(Tag.windowCenter, .DS, bytes: Self.decimal(center)))
            merged.set(DataElement(Tag.windowWidth, .DS, bytes: Self.decimal(width)))
            merged.set(DataElement(Tag.voilutFunction, .CS, bytes: Array("LINEAR_EXACT".utf8)))
        }
        // The state's Presentation LUT Shape decides inversion; MONOCHROME1 in the image is ignored (§N.2).
        let shape = dataSet.string(Tag.presentationLUTShape) ?? "IDENTITY"
        merged.set(
            DataElement(
                Tag.presentationLUTShape, .CS, bytes: Array((shape == "INVERSE" ? "INVERSE " : "IDENTITY").utf8)))
        return merged
    }

    /// The Displayed Area of `sopInstanceUID` as a region: left, top, width, height in pixels from 0.
    public func displayedArea(for sopInstanceUID: String, width: Int, height: Int) -> Viewport? {
        guard let area = item(0x0070_005A, for: sopInstanceUID) else { return nil }
        let values = RenderAttributes(dataSet: area)
        let topLeft = values.numbers(0x0070_0052)
        let bottomRight = values.numbers(0x0070_0053)
        guard topLeft.count == 2, bottomRight.count == 2 else { return nil }
        // After a rotation or flip the top-left corner may be the larger one: the area is between the two.
        let x0 = max(0, min(topLeft[0], bottomRight[0]) - 1)
        let y0 = max(0, min(topLeft[1], bottomRight[1]) - 1)
        let w = min(Double(width), max(topLeft[0], bottomRight[0])) - x0
        let h = min(Double(height), max(topLeft[1], bottomRight[1])) - y0
        guard w >= 1, h >= 1 else { return nil }
        return Viewport(
            width: Int(w.rounded()), height: Int(h.rounded()), sourceX: x0, sourceY: y0, sourceWidth: w,
            sourceHeight: h)
    }

    /// Image Rotation (0070,0042), clockwise degrees (0, 90, 180 or 270).
    public var rotation: Int { (dataSet.int(Tag.imageRotation) ?? 0) % 360 }

    /// Image Horizontal Flip (0070,0041), applied after the rotation (PS3.3 Table C.10-6).
    public var horizontalFlip: Bool { dataSet.string(Tag.imageHorizontalFlip) == "Y" }

    /// `image` rotated, then flipped, as the state says.
    public func spatial(_ image: RenderedImage) -> RenderedImage {
        var out = image
        if rotation / 90 % 4 != 0 { out = Resampler.rotated(out, quarterTurns: rotation / 90, flip: false) }
        return horizontalFlip ? Resampler.rotated(out, quarterTurns: 0, flip: true) : out
    }

    private static func decimal(_ value: Double) -> [UInt8] {
        var text = Int(exactly: value).map(String.init) ?? String(value)
        if text.count > 16 { text = String(text.prefix(16)) }
        var bytes = Array(text.utf8)
        if bytes.count % 2 == 1 { bytes.append(0x20) }
        return bytes
    }
}

extension Resampler {
    /// `image` mirrored left to right when `flip`, then turned clockwise by `quarterTurns` × 90°.
    static func rotated(_ image: RenderedImage, quarterTurns: Int, flip: Bool) -> RenderedImage {
        let turns = ((quarterTurns % 4) + 4) % 4
        let (w, h, c) = (image.width, image.height, image.channels)
        let outWidth = turns % 2 == 1 ? h : w
        let outHeight = turns % 2 == 1 ? w : h
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        for y in 0..<h {
            for x in 0..<w {
                let sx = flip ? w - 1 - x : x
                let (ox, oy): (Int, Int) =
                    switch turns {
                    case 1: (h - 1 - y, x)
                    case 2: (w - 1 - x, h - 1 - y)
                    case 3: (y, w - 1 - x)
                    default: (x, y)
                    }
                let from = (y * w + sx) * c
                let to = (oy * outWidth + ox) * c
                for k in 0..<c { out[to + k] = image.pixels[from + k] }
            }
        }
        return RenderedImage(width: outWidth, height: outHeight, channels: c, pixels: out)
    }
}
