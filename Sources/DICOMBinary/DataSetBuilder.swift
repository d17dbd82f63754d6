/// What a reader keeps of large values.
public struct ReadPolicy: Hashable, Sendable {
    /// Primitive values longer than this become ``Value/bulk(_:)`` references (offset and length in the
    /// stream) instead of being kept; `nil` keeps every value.
    public var bulkThreshold: Int?
    /// Stop at the Pixel Data element (its header is not kept), like a header-only read.
    public var stopAtPixelData: Bool

    /// Creates a policy.
    public init(bulkThreshold: Int? = nil, stopAtPixelData: Bool = false) {
        self.bulkThreshold = bulkThreshold
        self.stopAtPixelData = stopAtPixelData
    }

    /// Keep everything.
    public static let everything = ReadPolicy()
}

/// A parsed Part 10 file or data set.
public struct DICOMFile: Hashable, Sendable {
    /// The file meta information (group 0002), empty when the stream had none.
    public var fileMeta: DataSet
    /// The data set.
    public var dataSet: DataSet
    /// The transfer syntax the data set was read with.
    public var transferSyntax: TransferSyntax
    /// Whether the stream had a preamble.
    public var hasPreamble: Bool
    /// What the parser tolerated.
    public var warnings: [ParseWarning]

    /// Creates a file.
    public init(
        fileMeta: DataSet = DataSet(), dataSet: DataSet, transferSyntax: TransferSyntax = .explicitVRLittleEndian,
        hasPreamble: Bool = true, warnings: [ParseWarning] = []
    ) {
        self.fileMeta = fileMeta
        self.dataSet = dataSet
        self.transferSyntax = transferSyntax
        self.hasPreamble = hasPreamble
        self.warnings = warnings
    }
}

/// Builds data sets from parser events: the consumer side of ``StreamParser``.
public struct DataSetBuilder: Sendable {
    /// The policy for large values.
    public let policy: ReadPolicy
    /// The file meta elements seen so far.
    public private(set) var fileMeta = DataSet()
    /// The transfer syntax announced by the parser.
    public private(set) var transferSyntax: TransferSyntax?
    /// Whether the builder has everything it asked for (end of stream, or Pixel Data with `stopAtPixelData`).
    public private(set) var isComplete = false

    private var stack: [Level] = [Level()]
    private var inMeta = true
    private var chunked: Chunked?

    private struct Level: Sendable {
        var dataSet = DataSet()
        var sequenceTag: Tag?
        var sequenceVR: VR = .SQ
        var items: [DataSet] = []
        var encapsulated: EncapsulatedPixelData?
    }

    private struct Chunked: Sendable {
        var header: ElementHeader
        var bytes: [UInt8]?
        var isFragment: Bool
    }

    /// Creates a builder.
    public init(policy: ReadPolicy = .everything) { self.policy = policy }

    /// The data set built so far (complete once ``isComplete``).
    public var dataSet: DataSet { stack[0].dataSet }

    /// Takes one event.
    public mutating func consume(_ event: ParseEvent) {
        switch event {
        case .dataSetStart(let ts):
            inMeta = false
            transferSyntax = ts
        case .element(let header, let bytes):
            let element = DataElement(tag: header.tag, vr: header.vr, value: keep(header, bytes))
            add(element)
        case .elementStart(let header):
            if policy.stopAtPixelData && header.tag == .pixelData && stack.count == 1 {
                isComplete = true
                return
            }
            let keepBytes = policy.bulkThreshold.map { header.length.defined.map(Int.init) ?? Int.max <= $0 } ?? true
            chunked = Chunked(header: header, bytes: keepBytes ? [] : nil, isFragment: false)
        case .valueChunk(let bytes):
            if chunked?.bytes != nil { chunked!.bytes!.append(contentsOf: bytes) }
        case .valueEnd:
            guard let c = chunked else { return }
            chunked = nil
            if c.isFragment {
                stack[stack.count - 1].encapsulated?.fragments.append(c.bytes ?? [])
            } else {
                let value: Value =
                    c.bytes.map { .bytes($0) }
                    ?? .bulk(
                        BulkDataReference(
                            offset: c.header.valueOffset, length: c.header.length.defined.map(UInt64.init)))
                add(DataElement(tag: c.header.tag, vr: c.header.vr, value: value))
            }
        case .sequenceStart(let header):
            var level = Level()
            level.sequenceTag = header.tag
            level.sequenceVR = header.vr
            stack.append(level)
        case .itemStart:
            stack.append(Level())
        case .itemEnd:
            let item = stack.removeLast().dataSet
            stack[stack.count - 1].items.append(item)
        case .sequenceEnd:
            let level = stack.removeLast()
            if let tag = level.sequenceTag {
                add(DataElement(tag: tag, vr: .SQ, value: .sequence(level.items)))
            }
        case .encapsulatedStart(let header):
            if policy.stopAtPixelData && header.tag == .pixelData && stack.count == 1 {
                isComplete = true
                return
            }
            var level = Level()
            level.sequenceTag = header.tag
            level.sequenceVR = header.vr
            level.encapsulated = EncapsulatedPixelData(fragments: [])
            stack.append(level)
        case .fragment(let header, let bytes):
            if header.index == 0 {
                stack[stack.count - 1].encapsulated?.basicOffsetTable = bytes
            } else {
                stack[stack.count - 1].encapsulated?.fragments.append(bytes)
            }
        case .fragmentStart(let header):
            chunked = Chunked(
                header: ElementHeader(
                    tag: .item, vr: .OB, length: .defined(header.length), offset: header.offset,
                    valueOffset: header.valueOffset), bytes: [], isFragment: true)
        case .encapsulatedEnd:
            let level = stack.removeLast()
            if let tag = level.sequenceTag, let pixels = level.encapsulated {
                add(DataElement(tag: tag, vr: level.sequenceVR, value: .encapsulated(pixels)))
            }
        case .bulkData(let header, let reference):
            add(DataElement(tag: header.tag, vr: header.vr, value: .bulk(reference)))
        case .end:
            isComplete = true
        }
    }

    /// Adds an element to the innermost data set; a repeated tag keeps the first occurrence (as the
    /// streaming encoders do).
    private mutating func add(_ element: DataElement) {
        if inMeta {
            fileMeta.setIfAbsent(element)
        } else {
            stack[stack.count - 1].dataSet.setIfAbsent(element)
        }
    }

    private func keep(_ header: ElementHeader, _ bytes: [UInt8]) -> Value {
        if let limit = policy.bulkThreshold, bytes.count > limit, header.vr.isBulkBinary {
            return .bulk(BulkDataReference(offset: header.valueOffset, length: UInt64(bytes.count)))
        }
        return .bytes(bytes)
    }
}
