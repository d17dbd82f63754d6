/// Why a QIDO-RS query could not be understood: it becomes the body of a `400 Bad Request` (PS3.18 §10.6.3).
///
/// The message names the offending query parameter but never repeats its value, since values such as
/// `PatientName` or `PatientBirthDate` are patient data and must not end up in logs or error bodies.
public struct QIDOQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is. An extensible set of values, so new codes do not break `switch`es elsewhere.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case malformedQueryString, unknownParameter, unknownAttribute, duplicateParameter, invalidValue
            case unsupportedMatching, invalidAttributePath, invalidInteger, invalidBoolean, invalidScope
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The raw query string is not valid percent-encoded UTF-8 (RFC 3986 §2.1, PS3.18 §8.3.4).
        public static let malformedQueryString = Code(.malformedQueryString)
        /// The name is neither a query parameter of PS3.18 §8.3.4 nor a DICOM attribute (PS3.6 Table 6-1).
        public static let unknownParameter = Code(.unknownParameter)
        /// A tag or keyword the data dictionary does not know, or a private or group-length tag.
        public static let unknownAttribute = Code(.unknownAttribute)
        /// A parameter that may appear at most once appeared more often.
        public static let duplicateParameter = Code(.duplicateParameter)
        /// The value does not have the form the attribute's VR requires (PS3.5 Table 6.2-1), e.g. a bad date.
        public static let invalidValue = Code(.invalidValue)
        /// The attribute's VR does not allow the matching the value asks for (PS3.4 §C.2.2.2), e.g. a wildcard
        /// on a date, any value on binary data, or a value on a sequence.
        public static let unsupportedMatching = Code(.unsupportedMatching)
        /// A dotted attribute path whose components are empty or that does not walk through sequences.
        public static let invalidAttributePath = Code(.invalidAttributePath)
        /// `limit` or `offset` is not a non-negative integer (PS3.18 §8.3.4.4).
        public static let invalidInteger = Code(.invalidInteger)
        /// A boolean parameter is neither `true` nor `false` (PS3.18 §8.3.4.2, §8.3.4.5, §8.3.4.6).
        public static let invalidBoolean = Code(.invalidBoolean)
        /// The resource path does not name a valid search target (PS3.18 §10.6.1).
        public static let invalidScope = Code(.invalidScope)

        /// A stable identifier, e.g. `"invalidValue"`.
        public var description: String { base.rawValue }
    }

    /// What kind of problem it is.
    public var code: Code
    /// The query parameter at fault as the client wrote it (e.g. `"StudyDate"`, `"limit"`), when there is one.
    public var parameter: String?
    /// A human-readable explanation, suitable for a `400` response body; never contains the parameter's value.
    public var message: String

    /// An error of `code` about `parameter` explained by `message`.
    public init(_ code: Code, parameter: String?, _ message: String) {
        self.code = code
        self.parameter = parameter
        self.message = message
    }

    /// `code (parameter): message`, for logs.
    public var description: String {
        if let parameter { return "\(code) (\(parameter)): \(message)" }
        return "\(code): \(message)"
    }
}
