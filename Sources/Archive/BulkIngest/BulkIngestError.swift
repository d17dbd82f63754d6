import DICOMCore

/// A STOW-RS metadata and bulk data request could not be turned into a Part 10 instance
/// (PS3.18 §10.5.1.2 and §10.5.3: the instance fails and is reported in the Failed SOP Sequence).
public struct BulkIngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable identifier a caller can map to a failure reason.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The identifier, e.g. `unresolvedBulkDataURI`.
        public let rawValue: String

        /// Creates a code; new codes can be added without breaking callers.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A BulkDataURI matches no part's Content-Location.
        public static let unresolvedBulkDataURI = Code(rawValue: "unresolvedBulkDataURI")
        /// A BulkDataURI matches several parts' Content-Locations and cannot be told apart.
        public static let ambiguousBulkDataURI = Code(rawValue: "ambiguousBulkDataURI")
        /// A part's media type cannot be stored in the element that references it.
        public static let unsupportedMediaType = Code(rawValue: "unsupportedMediaType")
        /// A part's content is not what its media type says, or uses a feature no transfer syntax carries.
        public static let invalidBulkContent = Code(rawValue: "invalidBulkContent")
        /// A required attribute is absent and cannot be derived from the bulk data.
        public static let missingAttribute = Code(rawValue: "missingAttribute")
        /// A part could not be read or the output could not be written.
        public static let io = Code(rawValue: "io")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The element concerned, when there is one.
    public var tag: Tag?

    /// Creates an error.
    public init(_ code: Code, _ message: String, tag: Tag? = nil) {
        self.code = code
        self.message = message
        self.tag = tag
    }

    public var description: String {
        if let tag { return "\(code): \(tag) \(message)" }
        return "\(code): \(message)"
    }
}
