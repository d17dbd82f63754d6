/// A media type: `type "/" subtype *( OWS ";" OWS parameter )` (RFC 9110 §8.3.1, RFC 2045 §5.1).
///
/// The type, the subtype and parameter names are case-insensitive and are stored lower-cased; parameter
/// values keep their case (a multipart `boundary` is case-sensitive) and are stored unquoted.
/// ``description`` serialises the media type again, quoting values that are not tokens (RFC 9110 §5.6.6).
public struct MediaType: Sendable, Hashable, CustomStringConvertible {
    /// One `name=value` parameter. The name is lower-cased; the value is unquoted.
    public struct Parameter: Sendable, Hashable {
        /// The lower-cased parameter name, e.g. `transfer-syntax`.
        public var name: String
        /// The value, without quotes or quoted-pair escapes.
        public var value: String

        /// Creates a parameter; the name is lower-cased.
        public init(name: String, value: String) {
            self.name = name.lowercased()
            self.value = value
        }
    }

    /// The lower-cased top-level type, e.g. `application`, or `*` in an Accept media range.
    public var type: String
    /// The lower-cased subtype, e.g. `dicom+json`, or `*` in an Accept media range.
    public var subtype: String
    /// The parameters in their original order.
    public var parameters: [Parameter]

    /// Creates a media type; type, subtype and parameter names are lower-cased.
    public init(type: String, subtype: String, parameters: [Parameter] = []) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// Parses a `Content-Type`-style value such as `multipart/related; type="application/dicom"; boundary=x`.
    /// Returns `nil` if it is not a well-formed media type.
    public init?(_ text: some StringProtocol) {
        var scanner = HTTPFieldScanner(text)
        guard let parsed = Self.parse(&scanner), scanner.isAtEnd else { return nil }
        self = parsed
    }

    /// `type/subtype` without parameters (the "essence").
    public var essence: String { "\(type)/\(subtype)" }

    /// The value of the parameter called `name` (compared case-insensitively), if present.
    public subscript(parameter name: String) -> String? {
        let name = name.lowercased()
        return parameters.first { $0.name == name }?.value
    }

    /// A copy with the parameter `name` set to `value`, replacing an existing one or appending it.
    public func setting(parameter name: String, to value: String) -> MediaType {
        var copy = self
        let parameter = Parameter(name: name, value: value)
        if let index = copy.parameters.firstIndex(where: { $0.name == parameter.name }) {
            copy.parameters[index] = parameter
        } else {
            copy.parameters.append(parameter)
        }
        return copy
    }

    /// A copy without the parameter `name`.
    public func removing(parameter name: String) -> MediaType {
        var copy = self
        let name = name.lowercased()
        copy.parameters.removeAll { $0.name == name }
        return copy
    }

    /// A copy without any parameters.
    public var withoutParameters: MediaType { MediaType(type: type, subtype: subtype) }

    /// Whether `other` has the same type and subtype, ignoring parameters.
    public func hasSameEssence(as other: MediaType) -> Bool {
        type == other.type && subtype == other.subtype
    }

    public var description: String {
        var text = essence
        for parameter in parameters {
            text += "; \(parameter.name)=\(HTTPFieldScanner.serializeValue(parameter.value))"
        }
        return text
    }

    /// Parses a media type (or an Accept media range) at the scanner, stopping before a `,` or at the end.
    /// Empty parameters (`;;`) are skipped as RFC 9110 §5.6.6 allows.
    static func parse(_ scanner: inout HTTPFieldScanner) -> MediaType? {
        scanner.skipWhitespace()
        guard let type = scanner.token(), scanner.consume(UInt8(ascii: "/")), let subtype = scanner.token() else {
            return nil
        }
        var parameters: [Parameter] = []
        while true {
            scanner.skipWhitespace()
            guard let byte = scanner.current, byte != UInt8(ascii: ",") else { break }
            guard scanner.consume(UInt8(ascii: ";")) else { return nil }
            scanner.skipWhitespace()
            guard let next = scanner.current, next != UInt8(ascii: ";"), next != UInt8(ascii: ",") else { continue }
            guard let name = scanner.token(), scanner.consume(UInt8(ascii: "=")), let value = scanner.parameterValue()
            else { return nil }
            parameters.append(Parameter(name: name, value: value))
        }
        return MediaType(type: type, subtype: subtype, parameters: parameters)
    }
}
