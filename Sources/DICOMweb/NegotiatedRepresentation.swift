/// The outcome of content negotiation: what to send.
public struct NegotiatedRepresentation: Sendable, Hashable {
    /// The position of the chosen representation in the offers.
    public var offerIndex: Int
    /// The Content-Type to send (for multipart, of the whole body before the boundary is added), including
    /// `transfer-syntax` when one applies (PS3.18 §8.7.3.4).
    public var mediaType: MediaType
    /// The chosen transfer syntax UID, `nil` when transfer syntaxes do not apply.
    public var transferSyntax: String?
    /// The weight of the range that selected it, in thousandths.
    public var quality: Int
}
