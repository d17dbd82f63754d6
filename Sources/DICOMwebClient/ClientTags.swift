import DICOMCore

/// The tags the client writes by number that DICOMCore does not name (PS3.6).
enum ClientTags {
    static let modality = Tag(0x0008_0060)
    static let instanceNumber = Tag(0x0020_0013)
    static let seriesNumber = Tag(0x0020_0011)
}
