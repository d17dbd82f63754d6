/// The value of a data element.
///
/// Binary numbers in `.bytes` are always little endian, whatever the transfer syntax they were read
/// from; text is kept as the encoded bytes of the data set's character set and decoded on access.
public enum Value: Hashable, Sendable {
    /// A primitive value: its encoded bytes, without the trailing padding byte being removed.
    case bytes([UInt8])
    /// A sequence of items (VR SQ, PS3.5 §7.5).
    case sequence([DataSet])
    /// Encapsulated pixel data: the basic offset table and the fragments (PS3.5 §A.4).
    case encapsulated(EncapsulatedPixelData)
    /// A value left where it is stored and referenced by location.
    case bulk(BulkDataReference)

    /// The primitive bytes, if this is a primitive value.
    @inlinable public var bytes: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The items, if this is a sequence.
    @inlinable public var items: [DataSet]? {
        if case .sequence(let s) = self { return s }
        return nil
    }
}

/// Encapsulated pixel data: a basic offset table item followed by fragment items (PS3.5 §A.4).
public struct EncapsulatedPixelData: Hashable, Sendable {
    /// The bytes of the Basic Offset Table item (possibly empty).
    public var basicOffsetTable: [UInt8]
    /// The fragments, in order.
    public var fragments: [[UInt8]]

    /// Creates encapsulated pixel data.
    public init(basicOffsetTable: [UInt8] = [], fragments: [[UInt8]]) {
        self.basicOffsetTable = basicOffsetTable
        self.fragments = fragments
    }

    /// The Basic Offset Table entries: byte offsets of each frame's first fragment, relative to the first
    /// fragment's item tag.
    public var offsets: [UInt32] {
        stride(from: 0, to: basicOffsetTable.count - 3, by: 4).map { (i: Int) -> UInt32 in
            let b0 = UInt32(basicOffsetTable[i])
            let b1 = UInt32(basicOffsetTable[i + 1]) << 8
            let b2 = UInt32(basicOffsetTable[i + 2]) << 16
            let b3 = UInt32(basicOffsetTable[i + 3]) << 24
            return b0 | b1 | b2 | b3
        }
    }
}

/// A value kept out of the data set: where its bytes are and how many there are.
public struct BulkDataReference: Hashable, Sendable {
    /// Where the bytes can be fetched, when known (a BulkDataURI in DICOM JSON and XML).
    public var uri: String?
    /// Byte offset of the value in the source stream.
    public var offset: UInt64
    /// Number of bytes, when the length is defined.
    public var length: UInt64?

    /// Creates a reference.
    public init(uri: String? = nil, offset: UInt64 = 0, length: UInt64? = nil) {
        self.uri = uri
        self.offset = offset
        self.length = length
    }
}
