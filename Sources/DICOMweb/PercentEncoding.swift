/// Percent-encoding of URI components (RFC 3986 §2.1), for the server's and the client's URLs alike.
public enum PercentEncoding {
    /// `text` as UTF-8 with every byte but the unreserved characters (RFC 3986 §2.3) and those of `allowed`
    /// written `%XX`.
    public static func encode(_ text: String, allowing allowed: String = "") -> String {
        let extra = Set(allowed.utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case _ where extra.contains(byte):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }
}
