/// Reads an MP4 file (ISO/IEC 14496-12 and -14) for what PS3.5 §8.2.7–8.2.8 and §8.2.9 need: the first video
/// track's size (`tkhd`, else the visual sample entry), the codec and its profile and level (`avcC`, `hvcC`),
/// the number of samples and their duration (`stts` with the `mdhd` timescale).
///
/// PS3.5 lets the MPEG-4 AVC/H.264 and HEVC/H.265 transfer syntaxes carry the MP4 file as is, so the whole file
/// becomes the pixel data fragments. Transfer syntax:
/// - H.264 (`avc1`/`avc3`): High Profile / Level 4.1 `1.2.840.10008.1.2.4.102` up to level 4.1 and 30 frames
///   per second; Level 4.2 (2D) `.4.104` for level 4.2 or a faster frame rate; larger than 1920×1080 has no
///   H.264 transfer syntax and is refused. BD-compatible `.4.103` (and the 3D/stereo `.4.105`/`.4.106`) add
///   constraints the stream does not reveal, so they are used only when asked for by a `transfer-syntax`
///   parameter on the part.
/// - HEVC (`hvc1`/`hev1`): Main Profile `.4.107`, Main 10 `.4.108` (from `general_profile_idc`).
///
/// The `moov` box is read into memory (it holds only tables); one larger than 64 MiB is refused.
enum MP4VideoHeader {
    static let maximumMovieBox: UInt64 = 64 << 20

    struct Box {
        var type: String
        var start: Int  // of the body, in the enclosing buffer
        var end: Int
    }

    static func describe(_ file: BulkInputFile) throws(BulkIngestError) -> PixelDescription {
        let movie = try movieBox(file)
        for trak in boxes(movie, 0, movie.count) where trak.type == "trak" {
            let children = boxes(movie, trak.start, trak.end)
            guard let mdia = children.first(where: { $0.type == "mdia" }) else { continue }
            let media = boxes(movie, mdia.start, mdia.end)
            guard let hdlr = media.first(where: { $0.type == "hdlr" }), hdlr.end - hdlr.start >= 12,
                String(decoding: movie[(hdlr.start + 8)..<(hdlr.start + 12)], as: UTF8.self) == "vide"
            else { continue }
            return try describeTrack(movie, track: children, media: media)
        }
        throw invalid("no video track")
    }

    private static func describeTrack(
        _ m: [UInt8], track: [Box], media: [Box]
    ) throws(BulkIngestError)
        -> PixelDescription
    {
        var width = 0
        var height = 0
        if let tkhd = track.first(where: { $0.type == "tkhd" }) {
            let version = m[tkhd.start]
            let at = tkhd.start + (version == 1 ? 88 : 76)
            if at + 8 <= tkhd.end {
                width = Int(be32(m, at) >> 16)
                height = Int(be32(m, at + 4) >> 16)
            }
        }
        var timescale = 0
        if let mdhd = media.first(where: { $0.type == "mdhd" }) {
            let at = mdhd.start + (m[mdhd.start] == 1 ? 20 : 12)
            if at + 4 <= mdhd.end { timescale = Int(be32(m, at)) }
        }
        guard let minf = media.first(where: { $0.type == "minf" }),
            let stbl = boxes(m, minf.start, minf.end).first(where: { $0.type == "stbl" })
        else { throw invalid("video track without sample table") }
        let table = boxes(m, stbl.start, stbl.end)
        guard let stsd = table.first(where: { $0.type == "stsd" }), stsd.end - stsd.start >= 8 + 8 + 78 else {
            throw invalid("video track without sample description")
        }
        // First sample entry: size, type, then the VisualSampleEntry fields (width and height at 24 and 26).
        let entry = stsd.start + 8
        let entryEnd = min(stsd.end, entry + Int(be32(m, entry)))
        let codec = String(decoding: m[(entry + 4)..<(entry + 8)], as: UTF8.self)
        let body = entry + 8
        if width == 0 || height == 0 {
            width = be16(m, body + 24)
            height = be16(m, body + 26)
        }
        let configuration = boxes(m, body + 78, entryEnd)
        var frames: Int?
        var frameTime: Double?
        if let stts = table.first(where: { $0.type == "stts" }), stts.end - stts.start >= 8 {
            // The entry count is the file's word: at most the entries the box holds are read (a count of 2^32 in a
            // small box is not 2^32 iterations), and the sums are checked (n × delta reaches 2^64).
            let count = min(Int(be32(m, stts.start + 4)), (stts.end - stts.start - 8) / 8)
            var samples = 0
            var duration = 0
            var overflow = false
            for i in 0..<max(0, count) {
                let n = Int(be32(m, stts.start + 8 + 8 * i))
                let (more, o1) = n.multipliedReportingOverflow(by: Int(be32(m, stts.start + 12 + 8 * i)))
                let (total, o2) = duration.addingReportingOverflow(more)
                let (sampleTotal, o3) = samples.addingReportingOverflow(n)
                if o1 || o2 || o3 {
                    overflow = true
                    break
                }
                (duration, samples) = (total, sampleTotal)
            }
            if samples > 0, !overflow {
                frames = samples
                if timescale > 0 && duration > 0 {
                    frameTime = Double(duration) * 1000 / Double(timescale) / Double(samples)
                }
            }
        }
        let ts: String
        switch codec {
        case "avc1", "avc3":
            var level = 0
            if let avcC = configuration.first(where: { $0.type == "avcC" }), avcC.end - avcC.start >= 4 {
                level = Int(m[avcC.start + 3])
            }
            guard width <= 1920 && height <= 1080 else {
                throw BulkIngestError(
                    .unsupportedMediaType, "H.264 video larger than 1920×1080 has no DICOM transfer syntax")
            }
            let fast = (frameTime ?? 1000) < 1000 / 30.5
            ts = level > 41 || fast ? "1.2.840.10008.1.2.4.104" : "1.2.840.10008.1.2.4.102"
        case "hvc1", "hev1":
            var profile = 1
            if let hvcC = configuration.first(where: { $0.type == "hvcC" }), hvcC.end - hvcC.start >= 2 {
                profile = Int(m[hvcC.start + 1] & 0x1F)
            }
            ts = profile == 2 ? "1.2.840.10008.1.2.4.108" : "1.2.840.10008.1.2.4.107"
        default:
            throw BulkIngestError(.unsupportedMediaType, "MP4 video codec \(codec) has no DICOM transfer syntax")
        }
        guard width > 0, height > 0 else { throw invalid("the video track gives no frame size") }
        return PixelDescription(
            rows: height, columns: width, samplesPerPixel: 3, bitsStored: 8, isSigned: false,
            photometricInterpretation: "YBR_PARTIAL_420", acceptablePhotometricInterpretations: ["YBR_PARTIAL_420"],
            transferSyntaxUID: ts, numberOfFrames: frames, frameTime: frameTime)
    }

    /// The body of the top-level `moov` box.
    private static func movieBox(_ file: BulkInputFile) throws(BulkIngestError) -> [UInt8] {
        var position: UInt64 = 0
        while position + 8 <= file.size {
            let head = try file.readExactly(at: position, count: 8, what: "MP4 box")
            var size = UInt64(be32(head, 0))
            var headerSize: UInt64 = 8
            if size == 1 {
                let large = try file.readExactly(at: position + 8, count: 8, what: "MP4 box")
                size = UInt64(be32(large, 0)) << 32 | UInt64(be32(large, 4))
                headerSize = 16
            } else if size == 0 {
                size = file.size - position
            }
            // Compared without adding: a 64-bit box size may be anything, and position + size must not overflow.
            guard size >= headerSize, size <= file.size - position else {
                throw invalid("box at \(position) overruns the file")
            }
            if head[4...7].elementsEqual(Array("moov".utf8)) {
                guard size - headerSize <= maximumMovieBox else { throw invalid("the moov box is too large") }
                return try file.readExactly(at: position + headerSize, count: Int(size - headerSize), what: "moov")
            }
            position += size
        }
        throw invalid("no moov box")
    }

    /// The boxes in `m[start..<end]` (skipping a malformed tail).
    static func boxes(_ m: [UInt8], _ start: Int, _ end: Int) -> [Box] {
        var result: [Box] = []
        var p = start
        while p + 8 <= end {
            var size = Int(be32(m, p))
            var header = 8
            if size == 1, p + 16 <= end {
                size = Int(be32(m, p + 12))  // 64-bit size; boxes inside moov are small
                header = 16
            } else if size == 0 {
                size = end - p
            }
            guard size >= header, p + size <= end else { break }
            result.append(
                Box(type: String(decoding: m[(p + 4)..<(p + 8)], as: UTF8.self), start: p + header, end: p + size))
            p += size
        }
        return result
    }

    private static func invalid(_ message: String) -> BulkIngestError {
        BulkIngestError(.invalidBulkContent, "MP4: " + message)
    }
}
