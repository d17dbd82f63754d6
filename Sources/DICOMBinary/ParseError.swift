/// A failure to parse a DICOM stream, with where it happened (PS3.5 §7).
public struct DICOMParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The stream ended inside an element, item or sequence.
        public static let truncated = Code("truncated")
        /// A length does not fit its container or the stream.
        public static let badLength = Code("bad length")
        /// A delimiter or item appeared where it cannot.
        public static let unexpectedTag = Code("unexpected tag")
        /// Sequences nest deeper than the configured limit.
        public static let nestingTooDeep = Code("nesting too deep")
        /// The deflated data set could not be inflated.
        public static let badDeflate = Code("bad deflate stream")
        /// The header or file meta is not DICOM.
        public static let notDICOM = Code("not DICOM")
        /// Elements are not in ascending tag order.
        public static let outOfOrder = Code("out of order")
    }

    /// What went wrong.
    public var code: Code
    /// Byte offset in the (inflated) stream.
    public var offset: UInt64
    /// The tags leading to the element, outermost first, with item numbers (`(0008,1115)[0]>(0008,1140)`).
    public var path: String
    /// Detail.
    public var message: String

    /// Creates an error.
    public init(code: Code, offset: UInt64, path: String, message: String) {
        self.code = code
        self.offset = offset
        self.path = path
        self.message = message
    }

    public var description: String {
        "\(code) at byte \(offset)\(path.isEmpty ? "" : " in \(path)"): \(message)"
    }
}
