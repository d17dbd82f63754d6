/// The header fields of one body part (RFC 2046 §5.1.1 `MIME-part-headers`, RFC 2045 §3), in order.
/// Lookups by name are case-insensitive.
public struct MultipartHeaders: Sendable, Hashable, RandomAccessCollection {
    /// One `name: value` header field; the value has surrounding whitespace removed.
    public struct Field: Sendable, Hashable {
        /// The field name as received.
        public var name: String
        /// The field value.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in the order received.
    public var fields: [Field]

    /// Creates headers from fields.
    public init(_ fields: [Field] = []) { self.fields = fields }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> Field { fields[position] }

    /// The first value of the field called `name` (case-insensitive), if any.
    public subscript(_ name: String) -> String? {
        fields.first { Self.equalIgnoringASCIICase($0.name, name) }?.value
    }

    /// Every value of the field called `name` (case-insensitive).
    public func values(for name: String) -> [String] {
        fields.filter { Self.equalIgnoringASCIICase($0.name, name) }.map(\.value)
    }

    /// The parsed `Content-Type`, if present and well-formed (RFC 2045 §5; PS3.18 §8.6.1.2).
    public var contentType: MediaType? { self["content-type"].flatMap { MediaType($0) } }

    static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && zip(lhs.utf8, rhs.utf8).allSatisfy { lowerASCII($0) == lowerASCII($1) }
    }

    private static func lowerASCII(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 0x20 : byte
    }
}
