import DICOMBinary
import DICOMCore
import DICOMDictionary
import DICOMJSON
import DICOMXML

/// What ingest learns about one instance in a single pass over its bytes (ARCHITECTURE §1): the attributes
/// the index needs, the metadata documents `/metadata` serves, and where every frame lies.
public struct InstanceAnalysis: Sendable {
    /// The top-level attributes without Pixel Data; values longer than ``InstanceAnalyzer/attributeLimit``
    /// are left out.
    public var attributes: DataSet
    /// The file meta elements.
    public var fileMeta: DataSet
    /// The transfer syntax the data set is encoded in.
    public var transferSyntax: TransferSyntax
    /// DICOM JSON of the data set (PS3.18 §F.2), binary values over the inline limit as relative BulkDataURIs
    /// (`bulkdata/{offset}-{length}`), resolved against the instance's URL when served.
    public var metadataJSON: [UInt8]
    /// The same in the native DICOM model (PS3.19).
    public var metadataXML: [UInt8]
    /// The frames of the top-level Pixel Data, if any.
    public var pixelLayout: PixelLayout?
    /// Byte offset of the top-level Pixel Data value (the bulk data URI of Pixel Data names it).
    public var pixelDataOffset: UInt64?
    /// Problems tolerated while reading.
    public var warnings: [String]
}

/// Consumes the parser's events for one instance and builds an ``InstanceAnalysis`` with bounded memory:
/// Pixel Data and large values are never held, only located.
public struct InstanceAnalyzer: Sendable {
    /// Values longer than this are not kept in ``InstanceAnalysis/attributes``.
    public static let attributeLimit = 4096
    /// Binary values up to this length are inlined in metadata; longer ones become BulkDataURIs.
    public static let inlineBinaryLimit: UInt32 = 256

    /// Options for the parser that feeds an analyzer: binary values the analyzer would only locate (longer
    /// than ``attributeLimit``, so never kept and never inlined) are skipped without being buffered.
    public static let parserOptions: ParserOptions = {
        var options = ParserOptions()
        options.skipBinaryValuesLongerThan = attributeLimit
        return options
    }()

    /// The relative BulkDataURI of a value at `offset` with `length` bytes (`nil` for undefined length).
    public static func bulkDataPath(offset: UInt64, length: UInt32?) -> String {
        if let length { "bulkdata/\(offset)-\(length)" } else { "bulkdata/\(offset)" }
    }

    private static let policy = BinaryPolicy { header in
        if let n = header.length.defined, n <= InstanceAnalyzer.inlineBinaryLimit { return nil }
        return InstanceAnalyzer.bulkDataPath(offset: header.valueOffset, length: header.length.defined)
    }

    private var builder = DataSetBuilder(policy: ReadPolicy(bulkThreshold: InstanceAnalyzer.attributeLimit))
    private var json = DICOMJSONEncoder(binaryPolicy: InstanceAnalyzer.policy)
    private var xml = NativeXMLEncoder(binaryPolicy: InstanceAnalyzer.policy, prettyPrinted: false)
    private var jsonOut: [UInt8] = []
    private var xmlOut: [UInt8] = []
    private var transferSyntax: TransferSyntax?
    private var depth = 0
    /// Set while the events of the top-level Pixel Data pass.
    private var pixel: PixelState?
    private var pixelHeader: ElementHeader?
    private var fragments: [ByteRange] = []
    private var basicOffsetTable: [UInt8] = []
    private var inBasicOffsetTable = false
    private var finished = false

    private enum PixelState: Sendable { case native, encapsulated }

    /// Creates an analyzer.
    public init() {}

    /// Takes the next event.
    public mutating func consume(_ event: ParseEvent) {
        json.consume(event)
        xml.consume(event)
        // Keep the encoders' output small in memory: it is collected here as it is produced.
        jsonOut += json.takeOutput()
        xmlOut += xml.takeOutput()
        if case .dataSetStart(let ts) = event { transferSyntax = ts }
        if case .end = event { finished = true }
        if let state = pixel {
            trackPixel(event, state)
            return
        }
        if depth == 0, let header = event.startedElement,
            header.tag == .pixelData || header.tag == .floatPixelData || header.tag == .doubleFloatPixelData
        {
            pixelHeader = header
            switch event {
            case .encapsulatedStart: pixel = .encapsulated
            case .elementStart: pixel = .native
            default: break  // a short value, delivered whole: nothing follows
            }
            return
        }
        switch event {
        case .sequenceStart: depth += 1
        case .sequenceEnd: depth -= 1
        default: break
        }
        builder.consume(event)
    }

    private mutating func trackPixel(_ event: ParseEvent, _ state: PixelState) {
        switch (state, event) {
        case (.native, .valueEnd): pixel = nil
        case (.encapsulated, .fragment(let h, let bytes)):
            if h.index == 0 {
                basicOffsetTable = bytes
            } else {
                fragments.append(ByteRange(offset: h.valueOffset, length: UInt64(h.length)))
            }
        case (.encapsulated, .fragmentStart(let h)):
            if h.index == 0 {
                inBasicOffsetTable = true
            } else {
                fragments.append(ByteRange(offset: h.valueOffset, length: UInt64(h.length)))
            }
        case (.encapsulated, .valueChunk(let bytes)):
            if inBasicOffsetTable { basicOffsetTable += bytes }
        case (.encapsulated, .valueEnd): inBasicOffsetTable = false
        case (.encapsulated, .encapsulatedEnd): pixel = nil
        default: break
        }
    }

    /// The result, once the parser reported `.end`; `nil` before.
    public func analysis() -> InstanceAnalysis? {
        guard finished, let ts = transferSyntax else { return nil }
        let attributes = builder.dataSet.strippingBulkData()
        return InstanceAnalysis(
            attributes: attributes, fileMeta: builder.fileMeta, transferSyntax: ts, metadataJSON: jsonOut,
            metadataXML: xmlOut, pixelLayout: layout(attributes), pixelDataOffset: pixelHeader?.valueOffset,
            warnings: json.warnings)
    }

    private func layout(_ attributes: DataSet) -> PixelLayout? {
        // Offsets of a deflated stream count inflated bytes: they locate nothing in the stored file.
        guard let header = pixelHeader, transferSyntax?.isDeflated != true else { return nil }
        let frames = max(1, attributes.int(Tag.numberOfFrames) ?? 1)
        if header.length.defined == nil {
            return .encapsulated(
                frames: FrameMapper.frames(
                    fragments: fragments, basicOffsetTable: basicOffsetTable, frameCount: frames,
                    firstItemOffset: fragments.first.map { $0.offset - 8 }))
        }
        return .native(attributes: attributes, valueOffset: header.valueOffset, length: UInt64(header.length.defined!))
    }
}

extension DataSet {
    /// The data set without ``Value/bulk(_:)`` elements, at any depth.
    func strippingBulkData() -> DataSet {
        var out = DataSet()
        for element in self {
            switch element.value {
            case .bulk: continue
            case .sequence(let items):
                out.set(DataElement(element.tag, items: items.map { $0.strippingBulkData() }))
            default: out.set(element)
            }
        }
        return out
    }
}
