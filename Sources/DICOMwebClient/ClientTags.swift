import DICOMCore

/// The tags the client reads and writes by number (PS3.6).
enum ClientTags {
    static let sopClassUID = Tag(0x0008_0016)
    static let sopInstanceUID = Tag(0x0008_0018)
    static let studyInstanceUID = Tag(0x0020_000D)
    static let seriesInstanceUID = Tag(0x0020_000E)
    static let specificCharacterSet = Tag(0x0008_0005)
    static let modality = Tag(0x0008_0060)
    static let instanceNumber = Tag(0x0020_0013)
    static let seriesNumber = Tag(0x0020_0011)
    static let encapsulatedDocument = Tag(0x0042_0011)
}
