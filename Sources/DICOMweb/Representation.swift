/// A media type a resource can produce, with the transfer syntaxes it can be encoded in
/// (PS3.18 §8.7.3; the transfer syntax rules are PS3.18 §8.7.3.4).
///
/// For a multipart response the media type is the multipart form, e.g.
/// `multipart/related; type="application/dicom"`; the `transfer-syntax` parameter is added by negotiation.
public struct Representation: Sendable, Hashable, CustomStringConvertible {
    /// The media type, without a `transfer-syntax` parameter.
    public var mediaType: MediaType
    /// The transfer syntax UIDs the resource can be sent in, best first; the first is chosen for
    /// `transfer-syntax=*`. Empty when transfer syntaxes do not apply (e.g. `application/dicom+json`).
    public var transferSyntaxes: [String]
    /// The transfer syntax used when the client names none. PS3.18 §8.7.3.4 makes Explicit VR Little Endian
    /// (`1.2.840.10008.1.2.1`) the default for `application/dicom` and uncompressed bulk data; `nil` means the
    /// range must name one (or `*`) for this representation to match.
    public var defaultTransferSyntax: String?

    /// Creates a representation. `defaultTransferSyntax` defaults to Explicit VR Little Endian when it is
    /// among `transferSyntaxes`.
    public init(_ mediaType: MediaType, transferSyntaxes: [String] = [], defaultTransferSyntax: String? = nil) {
        self.mediaType = mediaType
        self.transferSyntaxes = transferSyntaxes
        self.defaultTransferSyntax =
            defaultTransferSyntax
            ?? (transferSyntaxes.contains(Self.explicitVRLittleEndian) ? Self.explicitVRLittleEndian : nil)
    }

    /// Explicit VR Little Endian, the DICOMweb default transfer syntax (PS3.18 §8.7.3.4).
    public static let explicitVRLittleEndian = "1.2.840.10008.1.2.1"

    public var description: String {
        guard !transferSyntaxes.isEmpty else { return mediaType.description }
        return "\(mediaType) (transfer-syntax: \(transferSyntaxes.joined(separator: ", ")))"
    }
}
