import DICOMBinary
import DICOMCore
import DICOMImaging
import NIOCore

/// What rendering the frames of one image instance needs: its attributes before the Pixel Data and the
/// geometry of its decoded frames.
public struct RenderSource: Sendable {
    /// The instance.
    public let instance: StoredInstance
    /// Its attributes up to the Pixel Data.
    public let attributes: DataSet
    /// The geometry of the stored frames.
    public let geometry: FrameGeometry
    /// The renderer of its decoded frames.
    public let renderer: FrameRenderer
    /// The frames found at retrieve where ingest recorded none or too few: those of a deflated image
    /// (``RetrieveService/inflatedPixelLayout(_:)``), or encapsulated fragments assigned by their codestreams
    /// (``RetrieveService/codestreamFrames(_:frames:)``).
    var resolvedLayout: PixelLayout? = nil

    /// The frames, found at retrieve or as recorded at ingest.
    var layout: PixelLayout? { resolvedLayout ?? instance.pixelLayout }

    /// The number of frames.
    public var frames: Int { layout?.frameCount ?? geometry.frames }
}

extension RetrieveService {
    /// The rendering source of an image instance; throws ``CodecError`` when its frames cannot be decoded or
    /// rendered (check before a response starts), ``ArchiveError`` when it has no pixel data.
    /// With `presentationState`, its transformations replace the image's (``PresentationState``).
    public func renderSource(
        _ instance: StoredInstance, presentationState: PresentationState? = nil
    ) async throws -> RenderSource {
        guard instance.hasPixelData else {
            throw ArchiveError(.notAcceptable, "instance \(instance.sopInstanceUID) has no pixel data to render")
        }
        // A deflated image is inflated once, up to its Pixel Data, for both its attributes and its frames.
        let deflatedHead = instance.isDeflatedImage ? try await headUpToPixelData(instance) : nil
        var attributes: DataSet
        if let deflatedHead {
            attributes = deflatedHead.attributes
        } else {
            attributes = try await imageAttributes(instance)
        }
        let geometry = try FrameGeometry(attributes)
        if let presentationState {
            attributes = presentationState.attributes(
                for: attributes, sopInstanceUID: instance.sopInstanceUID, geometry: geometry)
        }
        let syntax = TransferSyntax(uid: instance.transferSyntaxUID)
        var decoded = geometry
        if syntax.isEncapsulated {
            try FrameCodecs.checkDecodable(geometry, from: syntax.uid)
            decoded = FrameCodecs.decodedGeometry(geometry, from: syntax.uid)
        }
        let renderer = FrameRenderer(attributes: attributes, geometry: decoded, bigEndian: syntax.isBigEndian)
        try renderer.check()
        let resolved =
            if let deflatedHead { Self.inflatedLayout(deflatedHead) } else {
                try await codestreamFrames(instance, frames: geometry.frames)
            }
        return RenderSource(
            instance: instance, attributes: attributes, geometry: geometry, renderer: renderer,
            resolvedLayout: resolved)
    }

    /// Frame `number` (from 1) decoded and rendered on the codec pool, with `annotations` burned in.
    public func renderedFrame(
        _ source: RenderSource, number: Int, window: VOIWindow?, viewport: Viewport?,
        annotations: [RenderAnnotation] = []
    ) async throws -> RenderedImage {
        guard let ranges = source.layout?.ranges(ofFrame: number) else {
            throw ArchiveError(.notFound, "frame \(number) does not exist; the instance has \(source.frames)")
        }
        let native: [UInt8]
        if source.instance.isDeflatedImage {
            // Deflated (PS3.5 §A.5): native frames, read by inflating the instance while streaming.
            let reader = valueReader(source.instance)
            defer { reader.close() }
            var bytes: [UInt8] = []
            for range in ranges { bytes += try await reader.read(range) }
            native = bytes
        } else {
            native = try await convertedFrame(source.instance, ranges: ranges, geometry: source.geometry)
        }
        let frames = source.frames
        return try await CodecPool.shared.runIfActive {
            let image = try source.renderer.render(native, window: window, viewport: viewport)
            return Self.annotate(image, source, number: number, frames: frames, window: window, annotations)
        }
    }

    /// `image` with the text of `annotations` burned in (after every other transformation, PS3.18
    /// §8.3.5.1.1).
    public static func annotate(
        _ image: RenderedImage, _ source: RenderSource, number: Int, frames: Int, window: VOIWindow?,
        _ annotations: [RenderAnnotation]
    ) -> RenderedImage {
        guard !annotations.isEmpty else { return image }
        let top = annotations.contains(.patient) ? RenderAnnotation.patient.lines(source.attributes) : []
        let bottom =
            annotations.contains(.technique)
            ? RenderAnnotation.technique.lines(source.attributes, frame: number, frames: frames, window: window)
            : []
        return TextPainter.draw(top: top, bottom: bottom, on: image)
    }

    /// `images` written in `format` on the codec pool.
    public func encodeRendered(
        _ images: [RenderedImage], format: RenderedFormat, quality: Int?, delay: Int = 10
    ) async throws -> [UInt8] {
        try await CodecPool.shared.runIfActive { try format.encode(images, quality: quality, delay: delay) }
    }

    /// The byte range of a top-level element's value (an Encapsulated Document, say), found by reading the
    /// instance's header; nil when absent.
    public func elementRange(_ instance: StoredInstance, _ tag: Tag) async throws -> ByteRange? {
        var found: ByteRange?
        var depth = 0
        var inDataSet = false
        try await parse(instance, range: ByteRange(offset: 0, length: instance.size), cutShort: false) { event in
            guard found == nil else { return }
            switch event {
            case .dataSetStart: inDataSet = true
            case .sequenceStart: depth += 1
            case .sequenceEnd: depth -= 1
            case .element(let h, _) where inDataSet && depth == 0 && h.tag == tag,
                .elementStart(let h) where inDataSet && depth == 0 && h.tag == tag:
                if case .defined(let length) = h.length {
                    found = ByteRange(offset: h.valueOffset, length: UInt64(length))
                }
            default: break
            }
        }
        return found
    }
}
