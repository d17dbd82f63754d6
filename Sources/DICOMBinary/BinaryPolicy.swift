/// How the DICOM JSON and XML encoders present binary values: inline as base64 (`InlineBinary`), or as a
/// URI the client fetches (`BulkDataURI` / `BulkData uri`) (PS3.18 §F.2.6–F.2.7, PS3.19 §A.1.5).
public struct BinaryPolicy: Sendable {
    /// The BulkDataURI for an element, or `nil` to inline it. Called with the element's header (its offset
    /// and length locate the value in the stream).
    public var bulkDataURI: @Sendable (ElementHeader) -> String?

    /// Creates a policy.
    public init(bulkDataURI: @escaping @Sendable (ElementHeader) -> String?) {
        self.bulkDataURI = bulkDataURI
    }

    /// Every binary value inline.
    public static let inline = BinaryPolicy { _ in nil }
}
