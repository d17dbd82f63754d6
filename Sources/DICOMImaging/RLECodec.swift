/// RLE Lossless (PS3.5 Annex G, transfer syntax 1.2.840.10008.1.2.5), decode and encode, in Swift.
///
/// An encoded frame is a 64-byte header (the number of segments, 1 to 15, then the offset of each, little
/// endian) and the segments, each one byte plane of one sample compressed with the PackBits scheme of §G.3.1:
/// the planes of the first sample from the most significant byte down, then those of the next sample.
/// Native frames are little endian with interleaved samples (Planar Configuration 0), whatever the Planar
/// Configuration the data set states: RLE segments are planar by construction (PS3.5 §G.2).
public enum RLECodec {
    /// The transfer syntax.
    public static let transferSyntaxUID = "1.2.840.10008.1.2.5"

    /// Segments a frame of `geometry` needs: one per byte of each sample.
    static func segmentCount(_ geometry: FrameGeometry) -> Int {
        geometry.bitsAllocated == 1 ? 1 : geometry.samplesPerPixel * geometry.bytesPerSample
    }

    /// Decodes one frame into a native frame of `geometry` (interleaved, little endian).
    /// - Throws: ``CodecError`` for a header that does not fit the geometry, offsets outside the data, or a
    ///   segment that ends before its plane is complete. Bytes after a complete plane are ignored (some
    ///   encoders pad).
    public static func decode(_ encoded: [UInt8], geometry: FrameGeometry) throws(CodecError) -> [UInt8] {
        try geometry.validate()
        let segments = segmentCount(geometry)
        guard segments <= 15 else {
            throw CodecError(.unsupported, "\(segments) byte planes exceed the 15 segments of RLE (PS3.5 §G.5)")
        }
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
        var offsets: [Int] = (0..<segments).map { u32(4 + 4 * $0) }
        offsets.append(encoded.count)
        for i in 0..<segments {
            guard offsets[i] >= 64, offsets[i] <= offsets[i + 1] else {
                throw CodecError(.corruptData, "RLE segment \(i + 1) has an invalid offset \(offsets[i])")
            }
        }
        let planeLength = geometry.bitsAllocated == 1 ? geometry.frameLength : geometry.pixels
        var output = [UInt8](repeating: 0, count: geometry.frameLength)
        let bytes = geometry.bytesPerSample
        let stride = geometry.samplesPerPixel * bytes
        var plane = [UInt8](repeating: 0, count: planeLength)
        for segment in 0..<segments {
            try unpack(encoded, from: offsets[segment], to: offsets[segment + 1], into: &plane, segment: segment + 1)
            if geometry.bitsAllocated == 1 {
                output = plane
                continue
            }
            // Segment order: sample by sample, most significant byte first; output little endian, interleaved.
            let sample = segment / bytes
            let byte = bytes - 1 - segment % bytes
            let start = sample * bytes + byte
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
    public static func encode(_ native: [UInt8], geometry: FrameGeometry) throws(CodecError) -> [UInt8] {
        try geometry.validate()
        guard native.count >= geometry.frameLength else {
            throw CodecError(
                .corruptData, "a native frame of \(native.count) bytes; the image needs \(geometry.frameLength)")
        }
        let segments = segmentCount(geometry)
        guard segments <= 15 else {
            throw CodecError(.unsupported, "\(segments) byte planes exceed the 15 segments of RLE (PS3.5 §G.5)")
        }
        let bytes = geometry.bytesPerSample
        let pixels = geometry.pixels
        var body: [UInt8] = []
        var offsets: [Int] = []
        var plane = [UInt8](repeating: 0, count: geometry.bitsAllocated == 1 ? geometry.frameLength : pixels)
        for segment in 0..<segments {
            offsets.append(64 + body.count)
            if geometry.bitsAllocated == 1 {
                plane = Array(native[0..<geometry.frameLength])
                pack(plane, rowLength: plane.count, into: &body)
            } else {
                let sample = segment / bytes
                let byte = bytes - 1 - segment % bytes
                if geometry.planarConfiguration == 1 && geometry.samplesPerPixel > 1 {
                    let base = sample * pixels * bytes + byte
                    for p in 0..<pixels { plane[p] = native[base + p * bytes] }
                } else {
                    let stride = geometry.samplesPerPixel * bytes
                    let base = sample * bytes + byte
                    for p in 0..<pixels { plane[p] = native[base + p * stride] }
                }
                pack(plane, rowLength: geometry.columns, into: &body)
            }
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
