/// RLE Lossless (PS3.5 Annex G, transfer syntax 1.2.840.10008.1.2.5), decode and encode, in Swift.
///
/// An encoded frame is a 64-byte header (the number of segments, 1 to 15, then the offset of each, little
/// endian) and the segments, each one byte plane of one sample compressed with the PackBits scheme of §G.3.1:
/// the planes of the first sample from the most significant byte down, then those of the next sample.
/// Native frames are little endian, with their samples as the data set's Planar Configuration says (0
/// interleaved, 1 one plane per sample), so that frames, instances and metadata agree.
///
/// Refused (``CodecError/Code/unsupported``): 1 bit allocated (§G.2 pads each pixel to a byte; Lantern does not
/// convert), 4:2:2 subsampled photometric interpretations (RLE planes are full resolution), more than 15
/// byte planes.
public enum RLECodec {
    /// The transfer syntax.
    public static let transferSyntaxUID = "1.2.840.10008.1.2.5"

    /// Segments a frame of `geometry` needs: one per byte of each sample.
    static func segmentCount(_ geometry: FrameGeometry) -> Int { geometry.samplesPerPixel * geometry.bytesPerSample }

    /// Throws when frames of `geometry` cannot be RLE frames (see the type's notes).
    public static func check(_ geometry: FrameGeometry) throws(CodecError) {
        try geometry.validate()
        guard geometry.bitsAllocated >= 8 else {
            throw CodecError(.unsupported, "RLE of \(geometry.bitsAllocated)-bit pixels is not supported")
        }
        guard !geometry.isSubsampled else {
            throw CodecError(
                .unsupported,
                "\(geometry.photometricInterpretation) frames are subsampled; RLE holds full-resolution planes only")
        }
        let segments = segmentCount(geometry)
        guard segments <= 15 else {
            throw CodecError(.unsupported, "\(segments) byte planes exceed the 15 segments of RLE (PS3.5 §G.5)")
        }
    }

    /// Where byte `byte` (0 = least significant) of sample `sample` of pixel 0 goes in a native frame, and the
    /// distance to the same byte of the next pixel.
    static func placement(_ geometry: FrameGeometry, sample: Int, byte: Int) -> (start: Int, stride: Int) {
        let bytes = geometry.bytesPerSample
        if geometry.planarConfiguration == 1 && geometry.samplesPerPixel > 1 {
            return (sample * geometry.pixels * bytes + byte, bytes)
        }
        return (sample * bytes + byte, geometry.samplesPerPixel * bytes)
    }

    /// Decodes one frame into a native frame of `geometry`.
    /// - Throws: ``CodecError`` for a geometry RLE cannot hold, a header that does not fit it, offsets outside
    ///   the data, a segment too short to fill its plane, or one that ends before its plane is complete. Bytes
    ///   after a complete plane are ignored (some encoders pad).
    public static func decode(_ encoded: [UInt8], geometry: FrameGeometry) throws(CodecError) -> [UInt8] {
        try check(geometry)
        let segments = segmentCount(geometry)
        guard encoded.count >= 64 else {
            throw CodecError(.corruptData, "an RLE frame of \(encoded.count) bytes has no header")
        }
        func u32(_ at: Int) -> Int {
            Int(encoded[at]) | Int(encoded[at + 1]) << 8 | Int(encoded[at + 2]) << 16 | Int(encoded[at + 3]) << 24
        }
        let declared = u32(0)
        guard declared == segments else {
            throw CodecError(
                .corruptData, "the RLE header declares \(declared) segments; the image needs \(segments)")
        }
        let planeLength = geometry.pixels
        var offsets: [Int] = (0..<segments).map { u32(4 + 4 * $0) }
        offsets.append(encoded.count)
        for i in 0..<segments {
            guard offsets[i] >= 64, offsets[i] <= offsets[i + 1] else {
                throw CodecError(.corruptData, "RLE segment \(i + 1) has an invalid offset \(offsets[i])")
            }
            // Two bytes of PackBits yield at most 128: a shorter segment cannot fill its plane. Checked before
            // anything is allocated, so a tiny frame cannot make the decoder reserve a huge one.
            guard (offsets[i + 1] - offsets[i]) * 64 >= planeLength else {
                throw CodecError(
                    .corruptData, "RLE segment \(i + 1) has \(offsets[i + 1] - offsets[i]) bytes, too few for its plane"
                )
            }
        }
        var output = [UInt8](repeating: 0, count: geometry.frameLength)
        let bytes = geometry.bytesPerSample
        var plane = [UInt8](repeating: 0, count: planeLength)
        for segment in 0..<segments {
            try unpack(encoded, from: offsets[segment], to: offsets[segment + 1], into: &plane, segment: segment + 1)
            // Segment order: sample by sample, most significant byte first; output little endian.
            let (start, stride) = placement(geometry, sample: segment / bytes, byte: bytes - 1 - segment % bytes)
            precondition(start + (planeLength - 1) * stride < output.count, "RLE plane outside the native frame")
            output.withUnsafeMutableBufferPointer { out in
                plane.withUnsafeBufferPointer { p in
                    var o = start
                    for i in 0..<planeLength {
                        out[o] = p[i]
                        o += stride
                    }
                }
            }
        }
        return output
    }

    /// PackBits (PS3.5 §G.3.1) from `encoded[start..<end]` until `plane` is full.
    static func unpack(
        _ encoded: [UInt8], from start: Int, to end: Int, into plane: inout [UInt8], segment: Int
    ) throws(CodecError) {
        let count = plane.count
        var filled = 0
        var i = start
        let ok: Bool = encoded.withUnsafeBufferPointer { input in
            plane.withUnsafeMutableBufferPointer { out in
                while filled < count {
                    guard i < end else { return false }
                    let n = Int(Int8(bitPattern: input[i]))
                    i += 1
                    if n >= 0 {
                        let length = n + 1
                        guard i + length <= end else { return false }
                        let copy = min(length, count - filled)
                        for k in 0..<copy { out[filled + k] = input[i + k] }
                        filled += copy
                        i += length
                    } else if n != -128 {
                        guard i < end else { return false }
                        let value = input[i]
                        i += 1
                        let copy = min(1 - n, count - filled)
                        for k in 0..<copy { out[filled + k] = value }
                        filled += copy
                    }
                }
                return true
            }
        }
        guard ok else {
            throw CodecError(.corruptData, "RLE segment \(segment) ends after \(filled) of \(count) bytes")
        }
    }

    /// Encodes a native frame of `geometry` (little endian, samples as its Planar Configuration says) as one RLE
    /// frame; each row of each plane is packed on its own, as PS3.5 §G.3.1 recommends.
    public static func encode(
        _ native: some RandomAccessCollection<UInt8>, geometry: FrameGeometry
    ) throws(CodecError) -> [UInt8] {
        try check(geometry)
        guard native.count >= geometry.frameLength else {
            throw CodecError(
                .corruptData, "a native frame of \(native.count) bytes; the image needs \(geometry.frameLength)")
        }
        let segments = segmentCount(geometry)
        let bytes = geometry.bytesPerSample
        let pixels = geometry.pixels
        var body: [UInt8] = []
        var offsets: [Int] = []
        var plane = [UInt8](repeating: 0, count: pixels)
        let base = native.startIndex
        for segment in 0..<segments {
            offsets.append(64 + body.count)
            let (start, stride) = placement(geometry, sample: segment / bytes, byte: bytes - 1 - segment % bytes)
            for p in 0..<pixels { plane[p] = native[native.index(base, offsetBy: start + p * stride)] }
            pack(plane, rowLength: geometry.columns, into: &body)
            if body.count % 2 == 1 { body.append(0) }
        }
        var header = [UInt8](repeating: 0, count: 64)
        func put(_ value: Int, at: Int) {
            for k in 0..<4 { header[at + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
        }
        put(segments, at: 0)
        for (i, offset) in offsets.enumerated() { put(offset, at: 4 + 4 * i) }
        return header + body
    }

    /// PackBits, row by row: runs of three or more equal bytes become replicate runs, the rest literal runs,
    /// each at most 128 bytes.
    static func pack(_ plane: [UInt8], rowLength: Int, into out: inout [UInt8]) {
        var rowStart = 0
        while rowStart < plane.count {
            let rowEnd = min(plane.count, rowStart + rowLength)
            var i = rowStart
            var literalStart = i
            func flushLiterals(upTo end: Int) {
                var s = literalStart
                while s < end {
                    let n = min(128, end - s)
                    out.append(UInt8(n - 1))
                    out.append(contentsOf: plane[s..<(s + n)])
                    s += n
                }
            }
            while i < rowEnd {
                var run = 1
                while i + run < rowEnd, run < 128, plane[i + run] == plane[i] { run += 1 }
                if run >= 3 {
                    flushLiterals(upTo: i)
                    out.append(UInt8(bitPattern: Int8(1 - run)))
                    out.append(plane[i])
                    i += run
                    literalStart = i
                } else {
                    i += run
                }
            }
            flushLiterals(upTo: rowEnd)
            rowStart = rowEnd
        }
    }
}
