/// The media type of the frames (or whole pixel data) of an encapsulated transfer syntax (PS3.18 §8.7.3.3.2,
/// Table 8.7.3-4 and -5). The server answers frame and bulk data requests with it; the client asks for it.
public enum FrameMediaTypes {
    /// The media type for `uid`; `application/octet-stream` for the native (uncompressed) syntaxes.
    public static func mediaType(forTransferSyntax uid: String) -> MediaType {
        switch uid {
        case "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57",
            "1.2.840.10008.1.2.4.70":
            return .jpeg
        case "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81":
            return MediaType(type: "image", subtype: "jls")
        case "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92",
            "1.2.840.10008.1.2.4.93":
            return .jp2
        case "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203":
            return .jphc
        case "1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.101":
            return .mpeg
        case "1.2.840.10008.1.2.4.102", "1.2.840.10008.1.2.4.103", "1.2.840.10008.1.2.4.104",
            "1.2.840.10008.1.2.4.105", "1.2.840.10008.1.2.4.106":
            return .mp4
        case "1.2.840.10008.1.2.5":
            return MediaType(type: "image", subtype: "dicom-rle")
        default:
            return .octetStream
        }
    }
}
