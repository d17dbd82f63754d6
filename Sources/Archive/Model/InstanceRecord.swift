import DICOMCore

/// The identity of one stored instance and what retrieval needs without reading its bytes.
public struct StoredInstance: Hashable, Sendable {
    /// Study Instance UID.
    public var studyUID: String
    /// Series Instance UID.
    public var seriesUID: String
    /// SOP Instance UID.
    public var sopInstanceUID: String
    /// SOP Class UID.
    public var sopClassUID: String
    /// The transfer syntax the stored bytes are in.
    public var transferSyntaxUID: String
    /// Where the bytes and the metadata documents are.
    public var blobKey: BlobKey
    /// Size of the stored Part 10 bytes.
    public var size: UInt64
    /// Frames of the top-level Pixel Data, if any.
    public var pixelLayout: PixelLayout?
    /// Offset of the top-level Pixel Data value.
    public var pixelDataOffset: UInt64?
    /// When the instance was (last) stored, seconds since 1970.
    public var storedAt: Int64

    /// Creates a record.
    public init(
        studyUID: String, seriesUID: String, sopInstanceUID: String, sopClassUID: String, transferSyntaxUID: String,
        blobKey: BlobKey, size: UInt64, pixelLayout: PixelLayout?, pixelDataOffset: UInt64?, storedAt: Int64
    ) {
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.sopInstanceUID = sopInstanceUID
        self.sopClassUID = sopClassUID
        self.transferSyntaxUID = transferSyntaxUID
        self.blobKey = blobKey
        self.size = size
        self.pixelLayout = pixelLayout
        self.pixelDataOffset = pixelDataOffset
        self.storedAt = storedAt
    }
}

/// What the index stores for a new instance: its identity and its attributes, split by level.
public struct InstanceRecord: Sendable {
    /// Identity and retrieval facts.
    public var instance: StoredInstance
    /// The instance's top-level attributes (no bulk data), split by information-model level.
    public var attributes: DataSet

    /// Creates a record.
    public init(instance: StoredInstance, attributes: DataSet) {
        self.instance = instance
        self.attributes = attributes
    }
}
