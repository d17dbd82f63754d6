import DICOMCore
import DICOMweb

/// One bulk data part of a STOW-RS metadata and bulk data request (PS3.18 §10.5.1.2.2), already streamed
/// to a scratch file by the transport.
public struct BulkDataPart: Sendable {
    /// The part's Content-Type; a `transfer-syntax` parameter, when present, chooses among the transfer
    /// syntaxes the content allows (PS3.18 §8.7.3.5.2).
    public var mediaType: MediaType
    /// The part's Content-Location, which BulkDataURIs in the metadata refer to (PS3.18 §8.6.1.2).
    public var contentLocation: String?
    /// The scratch file holding the part's body.
    public var file: any ScratchFile
    /// The number of bytes in the file.
    public var length: UInt64

    /// Creates a part.
    public init(mediaType: MediaType, contentLocation: String?, file: any ScratchFile, length: UInt64) {
        self.mediaType = mediaType
        self.contentLocation = contentLocation
        self.file = file
        self.length = length
    }
}

/// Something the builder changed or noticed but did not reject.
public struct BulkIngestWarning: Sendable, Hashable, CustomStringConvertible {
    /// The attribute concerned, if any.
    public var tag: Tag?
    /// What happened, e.g. that Rows was corrected from the JPEG frame header.
    public var message: String

    /// Creates a warning.
    public init(tag: Tag?, message: String) {
        self.tag = tag
        self.message = message
    }

    public var description: String {
        if let tag { return "\(tag) \(message)" }
        return message
    }
}

/// The Part 10 instance written by ``BulkInstanceBuilder``.
public struct BuiltInstance: Sendable {
    /// The data set as written, except that each streamed value is a ``DICOMCore/Value/bulk(_:)`` reference
    /// whose `offset` is where the value starts in the output file (after the element header; for
    /// encapsulated pixel data, at the Basic Offset Table item) and whose `length` is the value's even length
    /// (`nil` for encapsulated pixel data, which has undefined length).
    public var dataSet: DataSet
    /// The file meta information as written.
    public var fileMeta: DataSet
    /// The transfer syntax of the data set.
    public var transferSyntax: TransferSyntax
    /// Attributes filled in or corrected from the bulk data, and parts nothing referenced.
    public var warnings: [BulkIngestWarning]
    /// The size of the output file.
    public var fileSize: UInt64
}
