import DICOMBinary
import DICOMCore

/// Turns the parse events of an instance with encapsulated Pixel Data into those of the same instance with native
/// Pixel Data, decoding one frame at a time (ARCHITECTURE §1, WADO journey: transcode). Put it between a
/// ``StreamParser`` and an ``EventWriter``: memory holds one encoded and one decoded frame, whatever the number
/// of frames.
///
/// - Frames are delimited by the Basic Offset Table when it has entries, else one fragment per frame when
///   there are several frames (as RLE requires, PS3.5 §A.4.2), else all fragments form the one frame.
/// - Decoded frames keep the data set's Planar Configuration; a codec that converts colour (JPEG's YCbCr,
///   JPEG 2000's multi-component transform) changes the Photometric Interpretation written, so the instance,
///   its frames and its metadata agree.
/// - The Pixel Data value is OW above 8 bits allocated, else OB, padded to even length. The Extended Offset
///   Table elements (7FE0,0001–0003), which only encapsulated data may have, are left out.
public struct PixelDataDecodingStream {
    /// The transfer syntax of the encapsulated frames.
    public let sourceTransferSyntaxUID: String
    private var image = ImageAttributes()
    private var geometry: FrameGeometry?
    private var inPixelData = false
    private var inFragment = false
    private var inOffsetTable = false
    private var table: [UInt8] = []
    private var frameStarts: Set<Int> = []
    private var position = 0
    private var frame: [UInt8] = []
    private var framesDone = 0
    private var padding = 0

    private var rewriter: ImageAttributeRewriter

    /// A stream decoding frames of `sourceTransferSyntaxUID` (``FrameCodecs/canDecode(_:)``).
    public init(sourceTransferSyntaxUID: String) {
        self.sourceTransferSyntaxUID = sourceTransferSyntaxUID
        rewriter = ImageAttributeRewriter(
            photometric: { photometric, samples in
                let sample = FrameGeometry(
                    rows: 1, columns: 1, samplesPerPixel: samples, bitsAllocated: 8, bitsStored: 8,
                    photometricInterpretation: photometric)
                return FrameCodecs.decodedGeometry(sample, from: sourceTransferSyntaxUID).photometricInterpretation
            }, planarConfiguration: nil, lossyMethod: nil)
    }

    /// The events to write for `event`.
    public mutating func consume(_ event: ParseEvent) throws(CodecError) -> [ParseEvent] {
        let tag = image.topLevelTag(event)
        let topLevel = image.observe(event)
        if let tag, tag.group == 0x0028 {
            return rewriter.rewrite(event, tag: tag, attributes: image.dataSet)
        }
        switch event {
        case .element(let h, _) where topLevel && (0x7FE0_0001...0x7FE0_0003).contains(h.tag.rawValue):
            return []
        case .elementStart(let h) where topLevel && (0x7FE0_0001...0x7FE0_0003).contains(h.tag.rawValue):
            inFragment = true  // swallow its chunks
            return []
        case .encapsulatedStart(let h) where topLevel && h.tag == .pixelData:
            let geometry = try image.geometry()
            try FrameCodecs.checkDecodable(geometry, from: sourceTransferSyntaxUID)
            self.geometry = geometry
            inPixelData = true
            let total = FrameCodecs.decodedGeometry(geometry, from: sourceTransferSyntaxUID).totalLength
            padding = total % 2
            let header = ElementHeader(
                tag: h.tag, vr: geometry.bitsAllocated > 8 ? .OW : .OB, length: .defined(UInt32(total + padding)),
                offset: h.offset, valueOffset: h.valueOffset)
            return [.elementStart(header)]
        case .fragment(let h, let bytes) where inPixelData:
            return try fragment(h, bytes, complete: true)
        case .fragmentStart(let h) where inPixelData:
            inFragment = true
            inOffsetTable = h.index == 0
            return try fragment(h, [], complete: false)
        case .valueChunk(let bytes) where inFragment:
            if inOffsetTable {
                table += bytes
            } else if inPixelData {
                try append(bytes)
            }
            return []
        case .valueEnd where inFragment:
            inFragment = false
            if inOffsetTable {
                inOffsetTable = false
                readOffsetTable()
            }
            return []
        case .encapsulatedEnd where inPixelData:
            inPixelData = false
            var out: [ParseEvent] = []
            if !frame.isEmpty || (geometry?.frames == 1 && framesDone == 0) { out += try finishFrame() }
            guard let geometry, framesDone == geometry.frames else {
                throw CodecError(
                    .corruptData,
                    "the pixel data holds \(framesDone) frames; Number of Frames says \(geometry?.frames ?? 0)")
            }
            if padding > 0 { out.append(.valueChunk([0])) }
            out.append(.valueEnd)
            return out
        default:
            return [event]
        }
    }

    private mutating func fragment(
        _ h: FragmentHeader, _ bytes: [UInt8], complete: Bool
    ) throws(CodecError) -> [ParseEvent] {
        guard let geometry else { return [] }
        if h.index == 0 {
            // The Basic Offset Table: frame starts, relative to the first fragment's item tag.
            table = complete ? bytes : []
            if complete { readOffsetTable() }
            return []
        }
        var out: [ParseEvent] = []
        let startsFrame = frameStarts.isEmpty ? geometry.frames > 1 && h.index > 1 : frameStarts.contains(position)
        if startsFrame { out += try finishFrame() }
        position += 8 + Int(h.length)
        try append(bytes)
        return out
    }

    /// The offsets of the frames after the first, from the Basic Offset Table read so far.
    private mutating func readOffsetTable() {
        var starts: Set<Int> = []
        var i = 4
        while i + 4 <= table.count {
            var value = 0
            for k in 0..<4 { value |= Int(table[i + k]) << (8 * k) }
            starts.insert(value)
            i += 4
        }
        frameStarts = starts
        table = []
    }

    /// Adds encoded bytes to the current frame; a frame far larger than its native size is damaged data, not a
    /// reason to hold the whole Pixel Data in memory.
    private mutating func append(_ bytes: [UInt8]) throws(CodecError) {
        frame += bytes
        if let geometry, frame.count > 2 * geometry.frameLength + 65_536 {
            throw CodecError(
                .corruptData,
                "frame \(framesDone + 1) has over \(frame.count) encoded bytes for \(geometry.frameLength) native")
        }
    }

    private mutating func finishFrame() throws(CodecError) -> [ParseEvent] {
        guard let geometry else { return [] }
        guard framesDone < geometry.frames else {
            throw CodecError(.corruptData, "more frames than Number of Frames (\(geometry.frames))")
        }
        let native = try FrameCodecs.decode(frame, transferSyntaxUID: sourceTransferSyntaxUID, geometry: geometry)
        frame.removeAll(keepingCapacity: true)
        framesDone += 1
        return [.valueChunk(native)]
    }
}
