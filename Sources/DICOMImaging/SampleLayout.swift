/// Rearranges the samples of native frames between the two Planar Configurations (PS3.3 §C.7.6.3.1.3): the
/// library codecs take and give interleaved samples (0); a data set may say one plane per sample (1).
enum SampleLayout {
    /// The frame with its planes interleaved (`frame` in Planar Configuration 1).
    static func interleaved(_ frame: [UInt8], _ geometry: FrameGeometry) -> [UInt8] {
        rearranged(frame, geometry, toPlanar: false)
    }

    /// The frame as one plane per sample (`frame` interleaved).
    static func planar(_ frame: [UInt8], _ geometry: FrameGeometry) -> [UInt8] {
        rearranged(frame, geometry, toPlanar: true)
    }

    private static func rearranged(_ frame: [UInt8], _ geometry: FrameGeometry, toPlanar: Bool) -> [UInt8] {
        let samples = geometry.samplesPerPixel
        let bytes = geometry.bytesPerSample
        let pixels = geometry.pixels
        guard samples > 1, frame.count >= pixels * samples * bytes else { return frame }
        var out = [UInt8](repeating: 0, count: frame.count)
        frame.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for sample in 0..<samples {
                    for pixel in 0..<pixels {
                        let planarAt = (sample * pixels + pixel) * bytes
                        let interleavedAt = (pixel * samples + sample) * bytes
                        let (from, to) = toPlanar ? (interleavedAt, planarAt) : (planarAt, interleavedAt)
                        for b in 0..<bytes { target[to + b] = source[from + b] }
                    }
                }
            }
        }
        return out
    }
}
