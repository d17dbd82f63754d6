/// Chooses what to send from the Accept header and what a resource can produce (RFC 9110 §12.5.1, PS3.18 §8.7.3).
///
/// Every (representation, transfer syntax) candidate takes the weight of the most specific range that matches
/// it, so `*/*, application/dicom;q=0` excludes `application/dicom`. The candidate with the highest weight wins;
/// ties go to the more specific range, then to the server's order of offers and transfer syntaxes.
///
/// A range matches a candidate when the type and subtype match (with `*` wildcards) and every parameter agrees:
/// - `transfer-syntax`: `*` matches any offered syntax; a UID matches only that syntax; an absent parameter
///   matches only the representation's default (PS3.18 §8.7.3.4). Ignored for representations without syntaxes.
/// - `type` (of `multipart/related`, RFC 2387 §3.1): compared as a media type, so quoting and case do not matter;
///   a range such as `*/*` or `image/*` there accepts any matching part type.
/// - `charset`: compared case-insensitively, and ignored when the representation has none.
/// - anything else: the representation must have the same value.
public enum ContentNegotiation {
    /// Returns the best representation for `accept`, or throws the reason for a 406. An `accept` with no
    /// well-formed range at all (missing header, or only malformed ones) is treated as `*/*`.
    public static func negotiate(
        _ accept: AcceptHeader, offers: [Representation]
    ) throws(NotAcceptable) -> NegotiatedRepresentation {
        let ranges = accept.ranges.isEmpty ? AcceptHeader.any.ranges : accept.ranges
        var best: (result: NegotiatedRepresentation, specificity: Int)?
        for (offerIndex, offer) in offers.enumerated() {
            let syntaxes: [String?] = offer.transferSyntaxes.isEmpty ? [nil] : offer.transferSyntaxes
            for syntax in syntaxes {
                // Ranges are sorted by weight first; the most specific match decides, so scan all of them.
                var chosen: MediaRange?
                for range in ranges where matches(range, offer, syntax) {
                    if range.specificity > chosen?.specificity ?? -1 { chosen = range }
                }
                guard let chosen, chosen.quality > 0 else { continue }
                if let current = best,
                    current.result.quality > chosen.quality
                        || (current.result.quality == chosen.quality && current.specificity >= chosen.specificity)
                {
                    continue
                }
                var mediaType = offer.mediaType
                if let syntax { mediaType = mediaType.setting(parameter: "transfer-syntax", to: syntax) }
                best = (
                    NegotiatedRepresentation(
                        offerIndex: offerIndex, mediaType: mediaType, transferSyntax: syntax, quality: chosen.quality),
                    chosen.specificity
                )
            }
        }
        guard let best else { throw NotAcceptable(accepted: accept.acceptable, offered: offers) }
        return best.result
    }

    /// Whether `range` accepts `offer` encoded in `syntax`.
    static func matches(_ range: MediaRange, _ offer: Representation, _ syntax: String?) -> Bool {
        let wanted = range.mediaType
        let offered = offer.mediaType
        if wanted.type != "*" {
            guard wanted.type == offered.type else { return false }
            if wanted.subtype != "*" && wanted.subtype != offered.subtype { return false }
        }
        var namedSyntax = false
        for parameter in wanted.parameters {
            switch parameter.name {
            case "transfer-syntax":
                namedSyntax = true
                guard let syntax, parameter.value != "*" else { continue }
                if parameter.value != syntax { return false }
            case "type":
                guard let value = offered[parameter: "type"] else { return false }
                guard let lhs = MediaType(parameter.value), let rhs = MediaType(value),
                    lhs.type == "*" || (lhs.type == rhs.type && (lhs.subtype == "*" || lhs.subtype == rhs.subtype))
                else { return false }
            case "charset":
                guard let value = offered[parameter: "charset"] else { continue }
                if value.lowercased() != parameter.value.lowercased() { return false }
            default:
                if offered[parameter: parameter.name] != parameter.value { return false }
            }
        }
        if !namedSyntax, let syntax, syntax != offer.defaultTransferSyntax { return false }
        return true
    }
}
