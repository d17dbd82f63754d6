/// A parsed Accept header (RFC 9110 §12.5.1; PS3.18 §8.7.3 and §8.7.5 for the DICOMweb parameters).
///
/// Ranges may come from several field lines; they are ordered by weight, then specificity, then their
/// position. Ranges with `q=0` are kept (they exclude media types during negotiation) but are not in
/// ``acceptable``. Malformed ranges (bad syntax, a bad or repeated `q`, `*/subtype`) are skipped and counted in
/// ``skippedCount`` rather than failing the request.
public struct AcceptHeader: Sendable, Hashable {
    /// All well-formed ranges, best first.
    public private(set) var ranges: [MediaRange]
    /// How many malformed ranges were ignored.
    public private(set) var skippedCount: Int

    /// `*/*`: what a missing Accept header means (RFC 9110 §12.5.1).
    public static let any = AcceptHeader(ranges: [MediaRange(MediaType(type: "*", subtype: "*"))])

    /// Creates a header from ranges, sorting them.
    public init(ranges: [MediaRange]) {
        self.ranges = Self.sorted(ranges)
        self.skippedCount = 0
    }

    /// Parses one Accept field value.
    public init(_ fieldValue: some StringProtocol) {
        self.init(fieldValues: [String(fieldValue)])
    }

    /// Parses the values of every Accept field line of a request, in order (RFC 9110 §5.3 list combination).
    public init(fieldValues: [String]) {
        var ranges: [MediaRange] = []
        var skipped = 0
        for value in fieldValues {
            var scanner = HTTPFieldScanner(value)
            while true {
                scanner.skipWhitespace()
                if scanner.isAtEnd { break }
                if scanner.consume(UInt8(ascii: ",")) { continue }
                if let range = Self.parseRange(&scanner) {
                    ranges.append(range)
                } else {
                    skipped += 1
                    scanner.skipPastListSeparator()
                }
            }
        }
        self.ranges = Self.sorted(ranges)
        self.skippedCount = skipped
    }

    /// The ranges with a non-zero weight, best first.
    public var acceptable: [MediaRange] { ranges.filter { $0.quality > 0 } }

    private static func parseRange(_ scanner: inout HTTPFieldScanner) -> MediaRange? {
        guard var mediaType = MediaType.parse(&scanner) else { return nil }
        guard scanner.isAtEnd || scanner.current == UInt8(ascii: ",") else { return nil }
        if mediaType.type == "*" && mediaType.subtype != "*" { return nil }
        var quality = 1000
        let weights = mediaType.parameters.filter { $0.name == "q" }
        guard weights.count <= 1 else { return nil }
        if let q = weights.first?.value {
            guard let parsed = MediaRange.parseQuality(q) else { return nil }
            quality = parsed
            mediaType = mediaType.removing(parameter: "q")
        }
        return MediaRange(mediaType, quality: quality)
    }

    private static func sorted(_ ranges: [MediaRange]) -> [MediaRange] {
        ranges.enumerated().sorted { lhs, rhs in
            if lhs.element.quality != rhs.element.quality { return lhs.element.quality > rhs.element.quality }
            if lhs.element.specificity != rhs.element.specificity {
                return lhs.element.specificity > rhs.element.specificity
            }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
