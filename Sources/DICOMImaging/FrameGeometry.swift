import DICOMBinary
import DICOMCore
import DICOMDictionary

/// What a frame of pixel data is made of (PS3.3 §C.7.6.3, Image Pixel Module): its size, its samples and
/// their encoding. Codecs decode to and encode from native frames of this geometry, little endian.
public struct FrameGeometry: Hashable, Sendable {
    /// Rows (0028,0010).
    public var rows: Int
    /// Columns (0028,0011).
    public var columns: Int
    /// Samples per Pixel (0028,0002).
    public var samplesPerPixel: Int
    /// Bits Allocated (0028,0100): 1, 8, 16, 32 or 64.
    public var bitsAllocated: Int
    /// Bits Stored (0028,0101).
    public var bitsStored: Int
    /// Pixel Representation (0028,0103): 0 unsigned, 1 two's complement.
    public var pixelRepresentation: Int
    /// Planar Configuration (0028,0006): 0 interleaved samples, 1 one plane per sample.
    public var planarConfiguration: Int
    /// Photometric Interpretation (0028,0004).
    public var photometricInterpretation: String
    /// Number of Frames (0028,0008), 1 when absent.
    public var frames: Int

    /// Creates a geometry.
    public init(
        rows: Int, columns: Int, samplesPerPixel: Int, bitsAllocated: Int, bitsStored: Int,
        pixelRepresentation: Int = 0, planarConfiguration: Int = 0, photometricInterpretation: String = "MONOCHROME2",
        frames: Int = 1
    ) {
        self.rows = rows
        self.columns = columns
        self.samplesPerPixel = samplesPerPixel
        self.bitsAllocated = bitsAllocated
        self.bitsStored = bitsStored
        self.pixelRepresentation = pixelRepresentation
        self.planarConfiguration = planarConfiguration
        self.photometricInterpretation = photometricInterpretation
        self.frames = frames
    }

    /// The geometry an image's attributes give; throws ``CodecError/Code/invalidGeometry`` when one is missing
    /// or out of range.
    public init(_ attributes: DataSet) throws(CodecError) {
        func required(_ tag: UInt32, _ name: String) throws(CodecError) -> Int {
            guard let value = attributes.int(Tag(tag)) else {
                throw CodecError(.invalidGeometry, "\(name) \(Tag(tag)) is missing")
            }
            return value
        }
        let rows = try required(0x0028_0010, "Rows")
        let columns = try required(0x0028_0011, "Columns")
        let bitsAllocated = try required(0x0028_0100, "BitsAllocated")
        self.init(
            rows: rows, columns: columns, samplesPerPixel: attributes.int(Tag.samplesPerPixel) ?? 1,
            bitsAllocated: bitsAllocated, bitsStored: attributes.int(Tag.bitsStored) ?? bitsAllocated,
            pixelRepresentation: attributes.int(Tag.pixelRepresentation) ?? 0,
            planarConfiguration: attributes.int(Tag.planarConfiguration) ?? 0,
            photometricInterpretation: attributes.string(Tag.photometricInterpretation) ?? "MONOCHROME2",
            frames: max(1, attributes.int(Tag.numberOfFrames) ?? 1))
        try validate()
    }

    /// Checks the values against PS3.3 §C.7.6.3.1 and a sane size (no frame over 2 GiB).
    public func validate() throws(CodecError) {
        guard rows > 0, columns > 0, rows <= 65535, columns <= 65535 else {
            throw CodecError(.invalidGeometry, "Rows and Columns must be 1 to 65535, not \(rows) × \(columns)")
        }
        guard (1...4).contains(samplesPerPixel) else {
            throw CodecError(.invalidGeometry, "Samples per Pixel \(samplesPerPixel) is not 1 to 4")
        }
        guard [1, 8, 16, 32, 64].contains(bitsAllocated), (1...bitsAllocated).contains(bitsStored) else {
            throw CodecError(
                .invalidGeometry, "Bits Allocated \(bitsAllocated) / Stored \(bitsStored) is not supported")
        }
        guard frameLength < 1 << 31 else { throw CodecError(.invalidGeometry, "a frame of over 2 GiB") }
        guard (1...(1 << 24)).contains(frames) else {
            throw CodecError(.invalidGeometry, "Number of Frames \(frames) is out of range")
        }
        guard totalLength <= 0xFFFF_FFFE else {
            throw CodecError(.unsupported, "native Pixel Data of \(totalLength) bytes exceeds the 4 GiB of a value")
        }
    }

    /// The length of the native Pixel Data of every frame (frames are at most 2^24 and each under 2 GiB, so
    /// the product fits an `Int`).
    public var totalLength: Int { frameLength * frames }

    /// Bytes per sample: 1 for 1 and 8 bits allocated, then 2, 4 or 8.
    public var bytesPerSample: Int { max(1, bitsAllocated / 8) }

    /// Pixels in a frame.
    public var pixels: Int { rows * columns }

    /// Whether the chrominance is stored at half horizontal resolution (YBR_FULL_422, YBR_PARTIAL_422:
    /// PS3.3 §C.7.6.3.1.2), two luminance samples sharing one pair of chrominance samples.
    public var isSubsampled: Bool {
        samplesPerPixel == 3 && photometricInterpretation.split(separator: " ").first?.hasSuffix("_422") == true
    }

    /// The length of a native frame, in bytes (1-bit frames packed, PS3.5 §8.1.1; 4:2:2 frames hold two
    /// samples per pixel).
    public var frameLength: Int {
        if bitsAllocated == 1 { return (pixels * samplesPerPixel + 7) / 8 }
        return pixels * (isSubsampled ? 2 : samplesPerPixel) * bytesPerSample
    }
}
