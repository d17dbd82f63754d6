import CLanternCodecs

/// What the C bindings (`CLanternCodecs`) share: the frame description they take, and their results turned
/// into ``CodecError``s.
enum LibraryCodec {
    /// The C description of a native frame of `geometry`, in its interleaved form.
    static func frame(_ geometry: FrameGeometry) -> lantern_frame {
        lantern_frame(
            width: Int32(geometry.columns), height: Int32(geometry.rows), components: Int32(geometry.samplesPerPixel),
            bytes_per_sample: Int32(geometry.bytesPerSample), precision: Int32(geometry.bitsStored),
            is_signed: Int32(geometry.pixelRepresentation))
    }

    /// Throws unless the geometry is one the bindings take: 8 or 16 bits allocated, 1 or 3 samples, full
    /// resolution.
    static func checkSamples(_ geometry: FrameGeometry, _ name: String) throws(CodecError) {
        try geometry.validate()
        guard geometry.bitsAllocated == 8 || geometry.bitsAllocated == 16 else {
            throw CodecError(.unsupported, "\(name) of \(geometry.bitsAllocated)-bit allocated pixels is not supported")
        }
        guard geometry.samplesPerPixel == 1 || geometry.samplesPerPixel == 3 else {
            throw CodecError(.unsupported, "\(name) of \(geometry.samplesPerPixel) samples per pixel is not supported")
        }
        guard !geometry.isSubsampled else {
            throw CodecError(.unsupported, "\(name) of \(geometry.photometricInterpretation) frames is not supported")
        }
    }

    /// Runs a decoding call into a native frame of `output` (interleaved, then rearranged to its Planar
    /// Configuration).
    static func decode(
        _ encoded: [UInt8], output: FrameGeometry, _ name: String,
        _ call: (
            UnsafePointer<UInt8>, Int, UnsafePointer<lantern_frame>, UnsafeMutablePointer<UInt8>, Int,
            UnsafeMutablePointer<CChar>, Int
        ) -> Int32
    ) throws(CodecError) -> [UInt8] {
        var frame = Self.frame(output)
        var native = [UInt8](repeating: 0, count: output.frameLength)
        var message = [CChar](repeating: 0, count: 512)
        let result = encoded.withUnsafeBufferPointer { source in
            native.withUnsafeMutableBufferPointer { target in
                message.withUnsafeMutableBufferPointer { text in
                    call(
                        source.baseAddress ?? UnsafePointer(bitPattern: 1)!, source.count, &frame, target.baseAddress!,
                        target.count, text.baseAddress!, text.count)
                }
            }
        }
        try check(result, message, name)
        if output.planarConfiguration == 1 { return SampleLayout.planar(native, output) }
        return native
    }

    /// Runs an encoding call on a native frame of `input`.
    static func encode(
        _ native: some RandomAccessCollection<UInt8>, input: FrameGeometry, _ name: String,
        _ call: (
            UnsafePointer<UInt8>, Int, UnsafePointer<lantern_frame>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
            UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>, Int
        ) -> Int32
    ) throws(CodecError) -> [UInt8] {
        var samples = Array(native)
        if input.planarConfiguration == 1 { samples = SampleLayout.interleaved(samples, input) }
        var frame = Self.frame(input)
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 512)
        let result = samples.withUnsafeBufferPointer { source in
            message.withUnsafeMutableBufferPointer { text in
                call(source.baseAddress!, source.count, &frame, &out, &length, text.baseAddress!, text.count)
            }
        }
        defer { lantern_codec_free(out) }
        try check(result, message, name)
        guard let out else { throw CodecError(.unsupported, "\(name) produced nothing") }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }

    private static func check(_ result: Int32, _ message: [CChar], _ name: String) throws(CodecError) {
        guard result != Int32(LANTERN_CODEC_OK) else { return }
        let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let reason = text.isEmpty ? "\(name) failed" : "\(name): \(text)"
        switch result {
        case Int32(LANTERN_CODEC_CORRUPT): throw CodecError(.corruptData, reason)
        // A codestream that disagrees with Rows, Columns or Samples per Pixel is damaged data.
        case Int32(LANTERN_CODEC_MISMATCH): throw CodecError(.corruptData, reason)
        default: throw CodecError(.unsupported, reason)
        }
    }
}
