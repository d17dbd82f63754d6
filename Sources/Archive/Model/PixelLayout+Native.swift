import DICOMCore
import DICOMDictionary

extension PixelLayout {
    /// The frames of a native Pixel Data value of `length` bytes at `valueOffset`, from the image attributes
    /// (Rows, Columns, Samples per Pixel, Bits Allocated, Number of Frames, 4:2:2 Photometric Interpretations):
    /// one layout for ingest and for instances whose frames are found at retrieve (deflated ones).
    static func native(attributes: DataSet, valueOffset: UInt64, length total: UInt64) -> PixelLayout {
        let frames = max(1, attributes.int(Tag.numberOfFrames) ?? 1)
        let rows = UInt64(attributes.int(Tag.rows) ?? 0)
        let columns = UInt64(attributes.int(Tag.columns) ?? 0)
        var samples = UInt64(attributes.int(Tag.samplesPerPixel) ?? 1)
        // 4:2:2 frames hold two samples per pixel (PS3.3 §C.7.6.3.1.2): Y Y Cb Cr for every two pixels.
        if samples == 3, attributes.string(Tag.photometricInterpretation)?.hasSuffix("_422") == true { samples = 2 }
        let bits = UInt64(attributes.int(Tag.bitsAllocated) ?? 0)
        let frameBits = rows * columns * samples * bits
        // Frames of packed 1-bit data need not start on a byte boundary: served only as a whole.
        guard frameBits > 0, frameBits % 8 == 0, frameBits / 8 * UInt64(frames) <= total else {
            return .native(offset: valueOffset, frameLength: total, frames: 1)
        }
        return .native(offset: valueOffset, frameLength: frameBits / 8, frames: frames)
    }
}
