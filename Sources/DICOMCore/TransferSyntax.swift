/// A transfer syntax: how a data set is encoded after the file meta information (PS3.5 §10, Annex A).
///
/// The encoding properties follow from the UID: every syntax is explicit VR little endian except
/// Implicit VR Little Endian (`1.2.840.10008.1.2`) and the retired Explicit VR Big Endian
/// (`1.2.840.10008.1.2.2`); the deflated syntaxes (PS3.5 §A.5) compress the data set; and every syntax
/// other than the native ones and the JPIP referenced ones encapsulates pixel data (PS3.5 §A.4).
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
    /// The transfer syntax UID.
    public let uid: String
    /// Values are written with their VR (PS3.5 §7.1.2).
    public let isExplicitVR: Bool
    /// Binary values are big endian (PS3.5 §A.3, retired).
    public let isBigEndian: Bool
    /// The data set is a raw deflate stream (PS3.5 §A.5).
    public let isDeflated: Bool
    /// Pixel data is encapsulated in fragments (PS3.5 §A.4).
    public let isEncapsulated: Bool

    /// Derives the encoding of `uid`. Unknown (private) UIDs are taken as explicit VR little endian with
    /// encapsulated pixel data, as PS3.5 §10 requires of any syntax other than the default.
    public init(uid: String) {
        self.uid = uid
        self.isExplicitVR = uid != "1.2.840.10008.1.2"
        self.isBigEndian = uid == "1.2.840.10008.1.2.2"
        self.isDeflated = Self.deflatedUIDs.contains(uid)
        self.isEncapsulated = !Self.nativeUIDs.contains(uid)
    }

    private static let deflatedUIDs: Set<String> = [
        "1.2.840.10008.1.2.1.99",  // Deflated Explicit VR Little Endian
        "1.2.840.10008.1.2.4.95",  // JPIP Referenced Deflate
        "1.2.840.10008.1.2.4.205",  // JPIP HTJ2K Referenced Deflate
    ]

    private static let nativeUIDs: Set<String> = [
        "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99",
        "1.2.840.10008.1.2.4.94", "1.2.840.10008.1.2.4.95", "1.2.840.10008.1.2.4.204", "1.2.840.10008.1.2.4.205",
    ]

    /// Implicit VR Little Endian, the DICOM default (PS3.5 §A.1).
    public static let implicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2")
    /// Explicit VR Little Endian (PS3.5 §A.2).
    public static let explicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2.1")
    /// Explicit VR Big Endian, retired (PS3.5 §A.3).
    public static let explicitVRBigEndian = TransferSyntax(uid: "1.2.840.10008.1.2.2")
    /// Deflated Explicit VR Little Endian (PS3.5 §A.5).
    public static let deflatedExplicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2.1.99")

    public var description: String { uid }
}
