/// A document that is not well-formed XML, that uses an XML feature Lantern refuses, or that is not a valid
/// Native DICOM Model instance (PS3.19 §A.1).
///
/// Where the problem has a place in the document, `line` and `column` (both 1-based, the column counted in
/// Unicode scalars) say where; `path` names the DICOM attribute being read, outermost first, with item
/// numbers (`(0008,1115)[1]>(0008,1150)`). Messages never quote attribute values, so no patient data ends
/// up in logs.
public struct XMLModelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The bytes are not well-formed XML 1.0 (or not UTF-8).
        public static let malformed = Code("malformed XML")
        /// A document type declaration, DTD or entity other than the five predefined ones: refused outright,
        /// which rules out external entity (XXE) and entity expansion ("billion laughs") attacks.
        public static let forbiddenConstruct = Code("forbidden XML construct")
        /// A configured limit (nesting depth, attributes per element, name length) was exceeded.
        public static let limitExceeded = Code("limit exceeded")
        /// Well-formed XML that does not follow the Native DICOM Model schema (PS3.19 §A.1.6).
        public static let invalidModel = Code("invalid Native DICOM Model")
        /// A value that cannot be converted to its VR (a bad number, tag, base64 text, …).
        public static let invalidValue = Code("invalid value")
    }

    /// What went wrong.
    public var code: Code
    /// Detail.
    public var message: String
    /// 1-based line of the offending XML construct, when known.
    public var line: Int?
    /// 1-based column (in Unicode scalars) of the offending XML construct, when known.
    public var column: Int?
    /// The DICOM attribute being read, outermost first (empty at the top level or for XML syntax errors).
    public var path: String

    /// Creates an error.
    public init(code: Code, message: String, line: Int? = nil, column: Int? = nil, path: String = "") {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }

    public var description: String {
        var text = "\(code)"
        if let line {
            text += " at line \(line)"
            if let column { text += ", column \(column)" }
        }
        if !path.isEmpty { text += " in \(path)" }
        return text + ": " + message
    }
}
