import DICOMBinary
import DICOMCore

extension StoredInstance {
    /// Whether the instance is stored in Deflated Explicit VR Little Endian (PS3.5 §A.5) with a top-level Pixel
    /// Data element. Its offsets count inflated bytes, so ingest records no frames (``pixelLayout`` is nil):
    /// ``RetrieveService/inflatedPixelLayout(_:)`` finds them, ``RetrieveService/valueReader(_:swapping:)``
    /// reads them.
    public var isDeflatedImage: Bool {
        pixelLayout == nil && pixelDataOffset != nil && TransferSyntax(uid: transferSyntaxUID).isDeflated
    }

    /// Whether the instance holds pixel data: frames recorded at ingest, or a deflated image.
    public var hasPixelData: Bool { pixelLayout != nil || isDeflatedImage }
}

extension RetrieveService {
    /// The top-level attributes of `instance` before its Pixel Data, and the Pixel Data element's header (nil
    /// when there is none), read through the parser from the start (which inflates a deflated instance) and
    /// stopping there.
    func headUpToPixelData(_ instance: StoredInstance) async throws -> (attributes: DataSet, pixelData: ElementHeader?)
    {
        struct Reached: Error { let header: ElementHeader }
        var builder = DataSetBuilder(policy: ReadPolicy(stopAtPixelData: true))
        var parser = StreamParser()
        var depth = 0
        var pixelData: ElementHeader?
        do {
            try await stream(instance, range: nil) { buffer in
                parser.append(buffer.readableBytesView)
                while let event = try parser.next() {
                    switch event {
                    case .sequenceStart: depth += 1
                    case .sequenceEnd: depth -= 1
                    case .elementStart(let h) where h.tag == .pixelData && depth == 0: throw Reached(header: h)
                    case .element(let h, _) where h.tag == .pixelData && depth == 0: throw Reached(header: h)
                    default: break
                    }
                    builder.consume(event)
                }
            }
        } catch let reached as Reached {
            pixelData = reached.header
        }
        return (builder.dataSet, pixelData)
    }
}
