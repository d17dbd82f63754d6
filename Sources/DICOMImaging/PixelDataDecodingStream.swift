import DICOMBinary
import DICOMCore

/// Turns the parse events of an instance with encapsulated Pixel Data into those of the same instance with native
/// Pixel Data, decoding one frame at a time (ARCHITECTURE §1, WADO journey: transcode). Put it between a
/// ``StreamParser`` and an ``EventWriter``: memory holds one encoded and one decoded frame, whatever the number
/// of frames.
///
/// - Frames are delimited by the Basic Offset Table when it has entries, else one fragment per frame when
///   there are several frames (as RLE requires, PS3.5 §A.4.2), else all fragments form the one frame.
/// - Decoded frames are interleaved, so Planar Configuration (0028,0006) becomes 0.
/// - The Pixel Data value is OW above 8 bits allocated, else OB, padded to even length.
public struct PixelDataDecodingStream {
    /// The transfer syntax of the encapsulated frames.
    public let sourceTransferSyntaxUID: String
    private var image = ImageAttributes()
    private var geometry: FrameGeometry?
    private var inPixelData = false
    private var inFragment = false
    private var offsetTable: [Int] = []
    private var position = 0
    private var frame: [UInt8] = []
    private var framesDone = 0
    private var padding = 0

    /// A stream decoding frames of `sourceTransferSyntaxUID` (``FrameCodecs/canDecode(_:)``).
    public init(sourceTransferSyntaxUID: String) {
        self.sourceTransferSyntaxUID = sourceTransferSyntaxUID
    }

    /// The events to write for `event`.
    public mutating func consume(_ event: ParseEvent) throws(CodecError) -> [ParseEvent] {
        let topLevel = image.observe(event)
        switch event {
        case .element(let h, _) where topLevel && h.tag == Tag(0x0028_0006):
            // Decoded frames are interleaved.
            return (image.dataSet.int(Tag(0x0028_0002)) ?? 1) > 1 ? [.element(h, [0, 0])] : [event]
        case .encapsulatedStart(let h) where topLevel && h.tag == .pixelData:
            let geometry = try image.geometry()
            self.geometry = geometry
            inPixelData = true
            let total = geometry.frameLength * geometry.frames
            padding = total % 2
            let header = ElementHeader(
                tag: h.tag, vr: geometry.bitsAllocated > 8 ? .OW : .OB, length: .defined(UInt32(total + padding)),
                offset: h.offset, valueOffset: h.valueOffset)
            return [.elementStart(header)]
        case .fragment(let h, let bytes) where inPixelData:
            return try fragment(h, bytes, complete: true)
        case .fragmentStart(let h) where inPixelData:
            inFragment = true
            return try fragment(h, [], complete: false)
        case .valueChunk(let bytes) where inFragment:
            frame += bytes
            return []
        case .valueEnd where inFragment:
            inFragment = false
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
            let table = complete ? bytes : []
            offsetTable = []
            var i = 0
            while i + 4 <= table.count {
                var value = 0
                for k in 0..<4 { value |= Int(table[i + k]) << (8 * k) }
                offsetTable.append(value)
                i += 4
            }
            return []
        }
        var out: [ParseEvent] = []
        let startsFrame: Bool =
            if offsetTable.count > 1 {
                offsetTable.dropFirst().contains(position)
            } else {
                geometry.frames > 1 && h.index > 1
            }
        if startsFrame { out += try finishFrame() }
        position += 8 + Int(h.length)
        frame += bytes
        return out
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
