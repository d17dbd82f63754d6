/// A frame that cannot be decoded or encoded (ARCHITECTURE §8): a code for the transport to map, and a reason
/// naming offsets and lengths, never pixel values.
public struct CodecError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The image attributes are missing, contradictory or out of range.
        public static let invalidGeometry = Code(name: "invalidGeometry")
        /// The encoded data is damaged or truncated.
        public static let corruptData = Code(name: "corruptData")
        /// The data uses a feature the codec does not implement.
        public static let unsupported = Code(name: "unsupported")
        /// A rendering parameter does not fit the image (a viewport region outside it, say).
        public static let invalidParameter = Code(name: "invalidParameter")
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// The reason.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
