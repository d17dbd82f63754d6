/// A failure while reading or preparing a `multipart/related` body (RFC 2046 §5.1, RFC 2387, PS3.18 §8.6).
///
/// Errors carry no part content, only a code, the stream offset where the problem was seen, and a short message.
public struct MultipartError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong; an extensible set of codes.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's name.
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The boundary is empty, longer than 70 characters, or contains characters RFC 2046 §5.1.1 forbids.
        public static let invalidBoundary = Code("invalidBoundary")
        /// The Content-Type is not a media type, or has no `boundary` parameter.
        public static let invalidContentType = Code("invalidContentType")
        /// The body ended without any boundary delimiter.
        public static let missingBoundary = Code("missingBoundary")
        /// The body ended inside a part, before the close delimiter (`--boundary--`). Parts completed before it
        /// were delivered.
        public static let missingClosingBoundary = Code("missingClosingBoundary")
        /// The body ended inside a part's header block.
        public static let truncatedHeaders = Code("truncatedHeaders")
        /// A part's header block exceeded the configured limit.
        public static let headerTooLarge = Code("headerTooLarge")
        /// A header line has no colon or an invalid field name.
        public static let malformedHeader = Code("malformedHeader")
    }

    /// What went wrong.
    public var code: Code
    /// The offset in the body at which the problem was detected, when known.
    public var byteOffset: Int?
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, byteOffset: Int? = nil, message: String) {
        self.code = code
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String {
        if let byteOffset { return "\(code): \(message) (byte offset \(byteOffset))" }
        return "\(code): \(message)"
    }
}
