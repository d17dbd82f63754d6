/// The header of a data element as it was read: where it is and how long its value is.
public struct ElementHeader: Hashable, Sendable {
    /// The element's tag.
    public var tag: Tag
    /// The VR, as read (explicit VR) or as resolved from the dictionary (implicit VR).
    public var vr: VR
    /// The value length.
    public var length: ValueLength
    /// Byte offset of the element's first header byte in the (inflated) stream.
    public var offset: UInt64
    /// Byte offset of the element's first value byte.
    public var valueOffset: UInt64

    /// Creates a header.
    public init(tag: Tag, vr: VR, length: ValueLength, offset: UInt64, valueOffset: UInt64) {
        self.tag = tag
        self.vr = vr
        self.length = length
        self.offset = offset
        self.valueOffset = valueOffset
    }
}

/// One item of encapsulated pixel data (PS3.5 §A.4): the basic offset table (index 0) or a fragment.
public struct FragmentHeader: Hashable, Sendable {
    /// 0 for the Basic Offset Table item, then 1, 2, … for the fragments.
    public var index: Int
    /// Length of the item's value.
    public var length: UInt32
    /// Byte offset of the item tag.
    public var offset: UInt64
    /// Byte offset of the item's first value byte.
    public var valueOffset: UInt64

    /// Creates a header.
    public init(index: Int, length: UInt32, offset: UInt64, valueOffset: UInt64) {
        self.index = index
        self.length = length
        self.offset = offset
        self.valueOffset = valueOffset
    }
}

/// What the push parser reports, in stream order (PS3.5 §7).
///
/// Values up to ``ParserOptions/materializeLimit`` arrive whole in ``element(_:_:)`` and ``fragment(_:_:)``;
/// larger ones arrive as ``elementStart(_:)`` / ``fragmentStart(_:)``, any number of ``valueChunk(_:)``
/// and a ``valueEnd``, so memory stays bounded whatever the size of the value. Binary numbers are
/// delivered little endian whatever the transfer syntax.
public enum ParseEvent: Hashable, Sendable {
    /// The data set starts, to be read with `transferSyntax`; follows the file meta elements, if any.
    case dataSetStart(TransferSyntax)
    /// A complete primitive element.
    case element(ElementHeader, [UInt8])
    /// A primitive element whose value follows in chunks.
    case elementStart(ElementHeader)
    /// A sequence starts (VR SQ, or UN of undefined length holding implicit VR items).
    case sequenceStart(ElementHeader)
    /// An item of the current sequence starts.
    case itemStart(offset: UInt64, length: ValueLength)
    /// The current item ends.
    case itemEnd
    /// The current sequence ends.
    case sequenceEnd
    /// Encapsulated pixel data starts (PS3.5 §A.4).
    case encapsulatedStart(ElementHeader)
    /// A complete item of encapsulated pixel data.
    case fragment(FragmentHeader, [UInt8])
    /// An item of encapsulated pixel data whose value follows in chunks.
    case fragmentStart(FragmentHeader)
    /// Encapsulated pixel data ends.
    case encapsulatedEnd
    /// Bytes of the value announced by ``elementStart(_:)`` or ``fragmentStart(_:)``.
    case valueChunk([UInt8])
    /// The chunked value is complete.
    case valueEnd
    /// An element whose value stays elsewhere. The parser never emits it; ``EventReplay`` does for data
    /// sets holding ``Value/bulk(_:)`` references.
    case bulkData(ElementHeader, BulkDataReference)
    /// The stream ended cleanly.
    case end
}

/// Something the parser tolerated and the caller may want to know about.
public struct ParseWarning: Hashable, Sendable, CustomStringConvertible {
    /// Byte offset where the condition was found.
    public var offset: UInt64
    /// What was found.
    public var message: String

    /// Creates a warning.
    public init(offset: UInt64, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "at byte \(offset): \(message)" }
}

/// How the parser treats the stream.
public struct ParserOptions: Hashable, Sendable {
    /// Values of at most this many bytes are delivered whole; longer ones in chunks of at most this size.
    public var materializeLimit: Int = 1 << 20
    /// When set, binary values (OB, OD, OF, OL, OV, OW, UN) and encapsulated fragments other than the Basic
    /// Offset Table that are longer than this are located but not read: the parser reports
    /// ``ParseEvent/elementStart(_:)`` (or ``ParseEvent/fragmentStart(_:)``) then ``ParseEvent/valueEnd``
    /// with no chunks, and drops their bytes as they arrive without buffering them. For consumers that only
    /// need where such values are (indexing, metadata with BulkDataURIs); `nil` (default) delivers every byte.
    public var skipBinaryValuesLongerThan: Int? = nil
    /// Maximum depth of nested sequences.
    public var maxNestingDepth: Int = 64
    /// Whether the stream starts with a Part 10 header (preamble, `DICM`, file meta). `nil` detects it.
    public var expectPart10Header: Bool? = nil
    /// The transfer syntax of a stream without file meta; `nil` guesses from the first element.
    public var defaultTransferSyntax: TransferSyntax? = nil
    /// Replace VR UN by the dictionary's VR for standard tags, reading UN sequences as implicit VR items
    /// (PS3.5 §6.2.2 allows it once the VR is known).
    public var resolveUNFromDictionary: Bool = true

    /// Default options.
    public init() {}
}

extension ParseEvent {
    /// The header of the element this event starts, for events that start an element.
    public var startedElement: ElementHeader? {
        switch self {
        case .element(let h, _), .elementStart(let h), .sequenceStart(let h), .encapsulatedStart(let h),
            .bulkData(let h, _):
            h
        default: nil
        }
    }

    /// Whether more events follow for the element this event starts (its value, items or fragments).
    public var opensValue: Bool {
        switch self {
        case .elementStart, .sequenceStart, .encapsulatedStart: true
        default: false
        }
    }
}
