import DICOMBinary
import DICOMCore

/// Renders native frames for display (PS3.18 §8.3.5.1; the PS3.4 §N.2 grayscale and colour pipelines):
///
/// - **Greyscale** (MONOCHROME1/2): stored value (sign-extended from Bits Stored) → Modality LUT (the Modality
///   LUT Sequence, else Rescale Slope and Intercept) → VOI (the requested window, else the data set's first
///   Window Center / Width with its VOI LUT Function, else its VOI LUT Sequence, else the frame's range) →
///   Presentation LUT Shape (INVERSE, and MONOCHROME1 without a shape, inverts) → 8 bits.
/// - **Colour:** RGB (scaled to 8 bits), YBR_FULL, YBR_FULL_422 and YBR_PARTIAL_422 converted to RGB (PS3.3
///   §C.7.6.3.1.2; 16- and 32-bit samples keep their top 8 stored bits), PALETTE COLOR looked up in its palette (§C.7.6.3.1.5; segmented palettes expanded first, §C.7.9.2).
///
/// Then the region of the viewport is cut out and scaled (``Viewport``).
public struct FrameRenderer: Sendable {
    /// The geometry of the native frames given to ``render(_:options:)``.
    public let geometry: FrameGeometry
    private let attributes: DataSet
    private let bigEndian: Bool

    /// A renderer for frames of `geometry` (as decoded: ``FrameCodecs/decodedGeometry(_:from:)``) of an image
    /// with `attributes` (everything before its Pixel Data); `bigEndian` for Explicit VR Big Endian frames.
    public init(attributes: DataSet, geometry: FrameGeometry, bigEndian: Bool = false) {
        self.attributes = attributes
        self.geometry = geometry
        self.bigEndian = bigEndian
    }

    /// Throws ``CodecError/Code/unsupported`` for images that cannot be rendered (check before a response
    /// starts).
    public func check() throws(CodecError) {
        try geometry.validate()
        let pi = geometry.photometricInterpretation
        switch (geometry.samplesPerPixel, pi) {
        case (1, "MONOCHROME1"), (1, "MONOCHROME2"):
            guard geometry.bitsAllocated <= 32 else { throw CodecError(.unsupported, "64-bit samples") }
        case (1, "PALETTE COLOR"):
            guard palette() != nil else {
                throw CodecError(.unsupported, "the palette is missing or cannot be expanded")
            }
        case (3, "RGB"), (3, "YBR_FULL"), (3, "YBR_FULL_422"), (3, "YBR_PARTIAL_422"), (3, "YBR_RCT"),
            (3, "YBR_ICT"):
            guard [8, 16, 32].contains(geometry.bitsAllocated) else {
                throw CodecError(.unsupported, "\(geometry.bitsAllocated)-bit colour samples")
            }
        default:
            throw CodecError(
                .unsupported, "\(geometry.samplesPerPixel) samples of \(pi) cannot be rendered")
        }
    }

    /// The frame rendered at its own size, then cut and scaled to the viewport.
    public func render(
        _ frame: [UInt8], window: VOIWindow? = nil, viewport: Viewport? = nil
    ) throws(CodecError)
        -> RenderedImage
    {
        try check()
        guard frame.count >= geometry.frameLength else {
            throw CodecError(.corruptData, "a frame of \(frame.count) bytes; \(geometry.frameLength) expected")
        }
        let full: RenderedImage
        if geometry.samplesPerPixel == 1 && geometry.photometricInterpretation != "PALETTE COLOR" {
            full = grey(frame, window: window)
        } else {
            full = colour(frame)
        }
        guard let viewport else { return full }
        return try viewport.apply(to: full)
    }

    // MARK: Greyscale

    /// The stored value of sample `index` (one sample per pixel), sign-extended when signed.
    private func stored(_ frame: [UInt8], _ index: Int) -> Int {
        let g = geometry
        var raw: Int
        switch g.bitsAllocated {
        case 1:
            raw = Int(frame[index >> 3] >> (index & 7) & 1)
        case 8:
            raw = Int(frame[index])
        case 16:
            let a = Int(frame[2 * index])
            let b = Int(frame[2 * index + 1])
            raw = bigEndian ? a << 8 | b : b << 8 | a
        default:
            let at = 4 * index
            let bytes =
                bigEndian ? [frame[at + 3], frame[at + 2], frame[at + 1], frame[at]] : Array(frame[at..<(at + 4)])
            raw = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        }
        let bits = min(g.bitsStored, 32)
        raw &= (1 << bits) - 1
        if g.pixelRepresentation == 1 && raw >> (bits - 1) & 1 == 1 { raw -= 1 << bits }
        return raw
    }

    private func grey(_ frame: [UInt8], window requested: VOIWindow?) -> RenderedImage {
        let values = RenderAttributes(dataSet: attributes)
        let pixels = geometry.pixels
        let modalityTable = values.sequenceTable(0x0028_3000)
        let slope = values.numbers(0x0028_1053).first ?? 1
        let intercept = values.numbers(0x0028_1052).first ?? 0
        func modality(_ stored: Int) -> Double {
            if let modalityTable { return modalityTable(Double(stored)) }
            return Double(stored) * slope + intercept
        }
        // The VOI transformation.
        var voi: (Double) -> Double
        if let requested {
            voi = { requested.apply($0) }
        } else if let center = values.numbers(0x0028_1050).first, let width = values.numbers(0x0028_1051).first,
            width > 0
        {
            let function = values.string(0x0028_1056).flatMap(VOIWindow.Function.init(rawValue:)) ?? .linear
            let window = VOIWindow(center: center, width: width, function: function)
            voi = { window.apply($0) }
        } else if let table = values.sequenceTable(0x0028_3010) {
            voi = { table($0) * 255 / table.top }
        } else {
            var low = Double.infinity
            var high = -Double.infinity
            for i in 0..<pixels {
                let v = modality(stored(frame, i))
                low = min(low, v)
                high = max(high, v)
            }
            let window = VOIWindow(center: (low + high) / 2, width: max(high - low, 1), function: .linearExact)
            voi = { window.apply($0) }
        }
        let shape = values.string(0x2050_0020)
        let inverse = shape == "INVERSE" || (shape == nil && geometry.photometricInterpretation == "MONOCHROME1")
        func display(_ stored: Int) -> UInt8 {
            let p = max(0, min(255, voi(modality(stored)).rounded()))
            return UInt8(inverse ? 255 - p : p)
        }
        var out = [UInt8](repeating: 0, count: pixels)
        if geometry.bitsStored <= 16 && (geometry.bitsAllocated == 8 || geometry.bitsAllocated == 16) {
            // One table over every bit pattern of Bits Stored, then one look-up per pixel.
            let bits = geometry.bitsStored
            let signed = geometry.pixelRepresentation == 1
            let table = (0..<(1 << bits)).map { pattern in
                display(signed && pattern >> (bits - 1) & 1 == 1 ? pattern - (1 << bits) : pattern)
            }
            let mask = (1 << bits) - 1
            let wide = geometry.bitsAllocated == 16
            let swap = bigEndian
            frame.withUnsafeBufferPointer { source in
                table.withUnsafeBufferPointer { lookup in
                    out.withUnsafeMutableBufferPointer { target in
                        if !wide {
                            for i in 0..<pixels { target[i] = lookup[Int(source[i]) & mask] }
                        } else if swap {
                            for i in 0..<pixels {
                                target[i] = lookup[(Int(source[2 * i]) << 8 | Int(source[2 * i + 1])) & mask]
                            }
                        } else {
                            for i in 0..<pixels {
                                target[i] = lookup[(Int(source[2 * i + 1]) << 8 | Int(source[2 * i])) & mask]
                            }
                        }
                    }
                }
            }
        } else {
            for i in 0..<pixels { out[i] = display(stored(frame, i)) }
        }
        return RenderedImage(width: geometry.columns, height: geometry.rows, channels: 1, pixels: out)
    }

    // MARK: Colour

    private struct Palette {
        let red: LookupTable
        let green: LookupTable
        let blue: LookupTable
    }

    private func palette() -> Palette? {
        let values = RenderAttributes(dataSet: attributes)
        func table(_ descriptor: UInt32, _ data: UInt32) -> LookupTable? {
            let numbers = values.numbers(descriptor)
            if let table = RenderAttributes.table(descriptor: numbers, data: attributes[Tag(data)]) { return table }
            // Else the Segmented Palette Color Lookup Table Data (0028,1221–1223), expanded.
            guard numbers.count == 3, case .bytes(let bytes)? = attributes[Tag(data + 0x20)]?.value else {
                return nil
            }
            let bits = Int(numbers[2])
            guard let expanded = SegmentedLUT.expand(SegmentedLUT.entries(bytes, bits: bits)) else { return nil }
            var first = Int(numbers[1])
            if first > 32767 && attributes[Tag(descriptor)]?.vr != .SS { first -= 65536 }
            return LookupTable(first: first, values: expanded, bits: max(1, min(16, bits)))
        }
        guard let red = table(0x0028_1101, 0x0028_1201), let green = table(0x0028_1102, 0x0028_1202),
            let blue = table(0x0028_1103, 0x0028_1203)
        else { return nil }
        return Palette(red: red, green: green, blue: blue)
    }

    private func colour(_ frame: [UInt8]) -> RenderedImage {
        let g = geometry
        let pixels = g.pixels
        var out = [UInt8](repeating: 0, count: pixels * 3)
        if g.photometricInterpretation == "PALETTE COLOR", let palette = palette() {
            func eight(_ table: LookupTable, _ x: Int) -> UInt8 {
                let v = table(Double(x))
                return UInt8(max(0, min(255, table.bits > 8 ? v / 257 : v)).rounded())
            }
            for i in 0..<pixels {
                let x = stored(frame, i)
                out[3 * i] = eight(palette.red, x)
                out[3 * i + 1] = eight(palette.green, x)
                out[3 * i + 2] = eight(palette.blue, x)
            }
            return RenderedImage(width: g.columns, height: g.rows, channels: 3, pixels: out)
        }
        let bytes = g.bytesPerSample
        let shift = max(0, g.bitsStored - 8)
        func sample(_ pixel: Int, _ s: Int) -> Int {
            let index: Int
            if g.isSubsampled {
                // Y0 Y1 Cb Cr for every two pixels (PS3.3 §C.7.6.3.1.2).
                let pair = pixel / 2
                index = s == 0 ? 4 * pair + pixel % 2 : 4 * pair + 1 + s
            } else if g.planarConfiguration == 1 {
                index = s * pixels + pixel
            } else {
                index = pixel * 3 + s
            }
            if bytes == 1 { return Int(frame[index]) }
            if bytes == 4 {
                // 32-bit samples, scaled to 8 bits by their top stored bits like 16-bit ones.
                let at = 4 * index
                var v = 0
                for k in 0..<4 { v |= Int(frame[at + k]) << (8 * (bigEndian ? 3 - k : k)) }
                return (v & (1 << min(g.bitsStored, 32) - 1)) >> shift
            }
            let a = Int(frame[2 * index])
            let b = Int(frame[2 * index + 1])
            return (bigEndian ? a << 8 | b : b << 8 | a) >> shift
        }
        let pi = g.photometricInterpretation
        for p in 0..<pixels {
            var r = Double(sample(p, 0))
            var gr = Double(sample(p, 1))
            var b = Double(sample(p, 2))
            if pi == "YBR_FULL" || pi == "YBR_FULL_422" {
                let (y, cb, cr) = (r, gr - 128, b - 128)
                r = y + 1.402 * cr
                gr = y - 0.344_136 * cb - 0.714_136 * cr
                b = y + 1.772 * cb
            } else if pi == "YBR_PARTIAL_422" {
                let (y, cb, cr) = (r - 16, gr - 128, b - 128)
                r = 1.1644 * y + 1.5960 * cr
                gr = 1.1644 * y - 0.3918 * cb - 0.8130 * cr
                b = 1.1644 * y + 2.0172 * cb
            }
            out[3 * p] = UInt8(max(0, min(255, r.rounded())))
            out[3 * p + 1] = UInt8(max(0, min(255, gr.rounded())))
            out[3 * p + 2] = UInt8(max(0, min(255, b.rounded())))
        }
        return RenderedImage(width: g.columns, height: g.rows, channels: 3, pixels: out)
    }
}
