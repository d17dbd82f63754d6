/// The media types used by DICOMweb (PS3.18 §8.7.3 and Table 8.7.3-1 onward, PS3.18 §8.7.4 rendered types).
extension MediaType {
    /// `application/dicom`: a DICOM PS3.10 file (PS3.18 §8.7.3.2).
    public static let dicom = MediaType(type: "application", subtype: "dicom")
    /// `application/dicom+json`: the DICOM JSON model (PS3.18 §8.7.3.3, PS3.18 Annex F).
    public static let dicomJSON = MediaType(type: "application", subtype: "dicom+json")
    /// `application/dicom+xml`: the Native DICOM Model (PS3.18 §8.7.3.3, PS3.19 Annex A).
    public static let dicomXML = MediaType(type: "application", subtype: "dicom+xml")
    /// `application/json`: plain JSON (e.g. capabilities, error bodies).
    public static let json = MediaType(type: "application", subtype: "json")
    /// `multipart/related` without parameters (RFC 2387, PS3.18 §8.6).
    public static let multipartRelated = MediaType(type: "multipart", subtype: "related")
    /// `application/octet-stream`: uncompressed bulk data (PS3.18 §8.7.3.4).
    public static let octetStream = MediaType(type: "application", subtype: "octet-stream")
    /// `image/jpeg` (PS3.18 §8.7.3.4 compressed bulk data, §8.7.4 rendered).
    public static let jpeg = MediaType(type: "image", subtype: "jpeg")
    /// `image/jp2`: JPEG 2000 (PS3.18 §8.7.3.4).
    public static let jp2 = MediaType(type: "image", subtype: "jp2")
    /// `image/jphc`: High-Throughput JPEG 2000 (PS3.18 §8.7.3.4).
    public static let jphc = MediaType(type: "image", subtype: "jphc")
    /// `image/png` (PS3.18 §8.7.4 rendered).
    public static let png = MediaType(type: "image", subtype: "png")
    /// `image/gif` (PS3.18 §8.7.4 rendered).
    public static let gif = MediaType(type: "image", subtype: "gif")
    /// `video/mpeg` (PS3.18 §8.7.3.4, §8.7.4).
    public static let mpeg = MediaType(type: "video", subtype: "mpeg")
    /// `video/mp4` (PS3.18 §8.7.3.4, §8.7.4).
    public static let mp4 = MediaType(type: "video", subtype: "mp4")
    /// `application/pdf`: encapsulated PDF (PS3.18 §8.7.3.4, §8.7.4).
    public static let pdf = MediaType(type: "application", subtype: "pdf")
    /// `text/xml`: encapsulated CDA (PS3.18 §8.7.3.4).
    public static let textXML = MediaType(type: "text", subtype: "xml")
    /// `model/stl`: encapsulated STL (PS3.18 §8.7.3.4).
    public static let stl = MediaType(type: "model", subtype: "stl")
    /// `application/zip` (PS3.18 §8.7.3.5).
    public static let zip = MediaType(type: "application", subtype: "zip")
    /// `text/html` (PS3.18 §8.7.4 rendered).
    public static let html = MediaType(type: "text", subtype: "html")
    /// `text/plain` (PS3.18 §8.7.4 rendered).
    public static let plainText = MediaType(type: "text", subtype: "plain")

    /// `multipart/related; type="<type>"` with an optional `transfer-syntax` parameter (PS3.18 §8.7.3.4, §8.6.1).
    public static func multipartRelated(type: MediaType, transferSyntax: String? = nil) -> MediaType {
        var result = multipartRelated.setting(parameter: "type", to: type.description)
        if let transferSyntax { result = result.setting(parameter: "transfer-syntax", to: transferSyntax) }
        return result
    }
}
