/// Which transfer syntax a part may ask for with its `transfer-syntax` media type parameter (PS3.18 §8.7.3.5.2),
/// given the one the builder derived from the content: only a syntax that can carry the same bit stream
/// unchanged (PS3.5 §8.2 and Annex A), e.g. JPEG Extended for a baseline JPEG, or JPEG 2000 for a stream
/// that is also valid as JPEG 2000 Lossless Only.
enum TransferSyntaxChoice {
    private static let p = "1.2.840.10008.1.2.4."
    private static let compatible: [String: Set<String>] = [
        p + "50": [p + "51"],
        p + "70": [p + "57"],
        p + "90": [p + "91", p + "201", p + "202", p + "203"],
        p + "91": [p + "203"],
        p + "201": [p + "202", p + "203"],
        p + "100": [p + "101"],
        p + "102": [p + "103", p + "104", p + "105", p + "106"],
        p + "104": [p + "105", p + "106"],
    ]

    /// `derived`, or `requested` when it can carry the same content; throws when it cannot.
    static func choose(derived: String, requested: String?) throws(BulkIngestError) -> String {
        guard let requested, requested != derived else { return derived }
        guard compatible[derived]?.contains(requested) == true else {
            throw BulkIngestError(
                .unsupportedMediaType,
                "the part asks for transfer syntax \(requested), which cannot carry its content (\(derived))")
        }
        return requested
    }
}
