import DICOMBinary
import DICOMCore
import DICOMDictionary

/// Turns the parse events of an instance with native Pixel Data into those of the same instance with encapsulated
/// Pixel Data in `targetTransferSyntaxUID`, encoding one frame at a time (``FrameCodecs``): an empty Basic
/// Offset Table, then one fragment per frame (PS3.5 §A.4; RLE requires it). The Image Pixel attributes are
/// rewritten to match (``ImageAttributeRewriter``: colour space, Planar Configuration, Lossy Image Compression). Put it before an ``EventWriter``
/// for the target syntax; after a ``PixelDataDecodingStream`` it re-encodes encapsulated frames.
public struct PixelDataEncodingStream {
    /// The transfer syntax produced.
    public let targetTransferSyntaxUID: String
    private var image = ImageAttributes()
    private var geometry: FrameGeometry?
    private var inPixelData = false
    private var pending: [UInt8] = []
    private var read = 0
    private var framesDone = 0

    private var rewriter: ImageAttributeRewriter

    /// A stream encoding native frames in `targetTransferSyntaxUID` (``FrameCodecs/canEncode(_:)``).
    public init(targetTransferSyntaxUID: String) {
        self.targetTransferSyntaxUID = targetTransferSyntaxUID
        let sample = FrameGeometry(rows: 1, columns: 1, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8)
        rewriter = ImageAttributeRewriter(
            photometric: { photometric, samples in
                var input = sample
                input.samplesPerPixel = samples
                input.photometricInterpretation = photometric
                return FrameCodecs.encodedGeometry(input, in: targetTransferSyntaxUID).photometricInterpretation
            },
            planarConfiguration: FrameCodecs.encodedGeometry(
                FrameGeometry(
                    rows: 1, columns: 1, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, planarConfiguration: 1),
                in: targetTransferSyntaxUID
            ).planarConfiguration == 0 ? 0 : nil,
            lossyMethod: FrameCodecs.lossyMethod(targetTransferSyntaxUID))
    }

    /// The events to write for `event`.
    public mutating func consume(_ event: ParseEvent) throws(CodecError) -> [ParseEvent] {
        let tag = image.topLevelTag(event)
        let topLevel = image.observe(event)
        var inserted: [ParseEvent] = []
        if let tag {
            let rewritten = rewriter.rewrite(event, tag: tag, attributes: image.dataSet)
            guard rewritten.last == event else { return rewritten }
            inserted = rewritten.dropLast()
        }
        return inserted + (try encode(event, topLevel: topLevel))
    }

    private mutating func encode(_ event: ParseEvent, topLevel: Bool) throws(CodecError) -> [ParseEvent] {
        switch event {
        case .element(let h, _) where topLevel && (h.tag == Tag.floatPixelData || h.tag == Tag.doubleFloatPixelData),
            .elementStart(let h) where topLevel && (h.tag == Tag.floatPixelData || h.tag == Tag.doubleFloatPixelData):
            throw CodecError(.unsupported, "float pixel data cannot be encoded in \(targetTransferSyntaxUID)")
        case .element(let h, let bytes) where topLevel && h.tag == .pixelData:
            var out = try begin(h)
            pending = bytes
            out += try encodeReadyFrames()
            return out + (try end())
        case .elementStart(let h) where topLevel && h.tag == .pixelData:
            return try begin(h)
        case .valueChunk(let bytes) where inPixelData:
            pending += bytes
            return try encodeReadyFrames()
        case .valueEnd where inPixelData:
            return try end()
        default:
            return [event]
        }
    }

    private mutating func begin(_ h: ElementHeader) throws(CodecError) -> [ParseEvent] {
        let geometry = try image.geometry()
        try FrameCodecs.checkEncodable(geometry, in: targetTransferSyntaxUID)
        self.geometry = geometry
        inPixelData = true
        let header = ElementHeader(
            tag: h.tag, vr: .OB, length: .undefined, offset: h.offset, valueOffset: h.valueOffset)
        return [
            .encapsulatedStart(header), .fragment(FragmentHeader(index: 0, length: 0, offset: 0, valueOffset: 0), []),
        ]
    }

    private mutating func encodeReadyFrames() throws(CodecError) -> [ParseEvent] {
        guard let geometry else { return [] }
        var out: [ParseEvent] = []
        while pending.count - read >= geometry.frameLength, framesDone < geometry.frames {
            let encoded = try FrameCodecs.encode(
                pending[read..<(read + geometry.frameLength)], transferSyntaxUID: targetTransferSyntaxUID,
                geometry: geometry)
            read += geometry.frameLength
            framesDone += 1
            out.append(
                .fragment(
                    FragmentHeader(index: framesDone, length: UInt32(encoded.count), offset: 0, valueOffset: 0), encoded
                ))
        }
        // Compact once per event; after the last frame, what remains is padding.
        pending.removeFirst(read)
        read = 0
        if framesDone == geometry.frames { pending.removeAll() }
        return out
    }

    private mutating func end() throws(CodecError) -> [ParseEvent] {
        inPixelData = false
        guard let geometry, framesDone == geometry.frames else {
            throw CodecError(
                .corruptData,
                "the pixel data holds \(framesDone) whole frames; Number of Frames says \(geometry?.frames ?? 0)")
        }
        pending.removeAll()
        return [.encapsulatedEnd]
    }
}
