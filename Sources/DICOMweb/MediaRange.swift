/// One media range of an Accept header with its weight (RFC 9110 §12.5.1, PS3.18 §8.7.3).
///
/// The range keeps its parameters (e.g. `type="application/dicom"`, `transfer-syntax=*`) except `q`.
/// Parameters written after `q` are kept too, unlike RFC 9110's `accept-ext`, because DICOMweb clients
/// put `transfer-syntax` anywhere.
public struct MediaRange: Sendable, Hashable, CustomStringConvertible {
    /// The range; `type` and/or `subtype` may be `*`.
    public var mediaType: MediaType
    /// The weight in thousandths, 0...1000 (RFC 9110 §12.4.2 `qvalue`); 0 means "not acceptable".
    public var quality: Int

    /// Creates a range.
    public init(_ mediaType: MediaType, quality: Int = 1000) {
        self.mediaType = mediaType
        self.quality = quality
    }

    /// How specific the range is: `*/*` < `type/*` < `type/subtype`, then the number of parameters
    /// (a `transfer-syntax=*` parameter does not count).
    public var specificity: Int {
        let level = mediaType.type == "*" ? 0 : (mediaType.subtype == "*" ? 1 : 2)
        let parameters = mediaType.parameters.filter { !($0.name == "transfer-syntax" && $0.value == "*") }.count
        return level * 1000 + parameters
    }

    public var description: String {
        quality == 1000 ? mediaType.description : "\(mediaType); q=\(Self.format(quality))"
    }

    static func format(_ quality: Int) -> String {
        if quality == 1000 { return "1" }
        var digits = String(quality)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return digits.isEmpty ? "0" : "0." + digits
    }

    /// Parses an RFC 9110 §12.4.2 `qvalue` into thousandths.
    static func parseQuality(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        guard bytes.count > 1 else { return value }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        var scale = 100
        for byte in bytes[2...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value += Int(byte - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }
}
