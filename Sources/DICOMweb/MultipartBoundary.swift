/// Boundary helpers for `multipart/related` (RFC 2046 §5.1.1, RFC 2387 §3, PS3.18 §8.6.1).
public enum MultipartBoundary {
    /// Whether `boundary` is valid per RFC 2046 §5.1.1: 1 to 70 `bchars`, not ending with a space.
    public static func isValid(_ boundary: String) -> Bool {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.last != 0x20 else { return false }
        return bytes.allSatisfy(isBoundaryByte)
    }

    /// RFC 2046 §5.1.1 `bchars`: digits, letters, `'()+_,-./:=?` and space.
    static func isBoundaryByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "+"), UInt8(ascii: "_"),
            UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: " "):
            return true
        default:
            return false
        }
    }

    /// The `boundary` parameter of a multipart Content-Type (quoted or not), validated per RFC 2046 §5.1.1.
    public static func boundary(fromContentType contentType: String) throws(MultipartError) -> String {
        guard let mediaType = MediaType(contentType), mediaType.type == "multipart" else {
            throw MultipartError(.invalidContentType, message: "Content-Type is not a multipart media type")
        }
        guard let boundary = mediaType[parameter: "boundary"] else {
            throw MultipartError(.invalidContentType, message: "Content-Type has no boundary parameter")
        }
        guard isValid(boundary) else {
            throw MultipartError(.invalidBoundary, message: "boundary must be 1 to 70 RFC 2046 characters")
        }
        return boundary
    }

    /// The `type` parameter of a `multipart/related` Content-Type (RFC 2387 §3.1; PS3.18 §8.6.1.1 requires it
    /// for DICOMweb), parsed as a media type; `nil` if absent or malformed.
    public static func relatedType(fromContentType contentType: String) -> MediaType? {
        MediaType(contentType)?[parameter: "type"].flatMap { MediaType($0) }
    }

    /// A random boundary of 32 lower-case hexadecimal digits (128 bits from `SystemRandomNumberGenerator`),
    /// practically certain not to occur in any part (RFC 2046 §5.1.1).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A boundary of 32 lower-case hexadecimal digits drawn from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<2 {
            var word = generator.next() as UInt64
            for _ in 0..<16 {
                bytes.append(digits[Int(word & 0xF)])
                word >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
