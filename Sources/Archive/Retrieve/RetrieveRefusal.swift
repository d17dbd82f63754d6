import DICOMImaging
import DICOMweb

/// Why a retrieve cannot be answered in any representation the client accepts: the reason of a 406 Not
/// Acceptable (PS3.18 §8.7.3, Table 10.4.3-1), decided by ``RetrievePlanner`` before a response starts. A
/// transport turns it into its own refusal (HTTP 406 with ``description`` as the body; a DIMSE status later).
public enum RetrieveRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// No acceptable media type matches the instances' representations; `stored` lists their stored transfer
    /// syntaxes.
    case noInstanceRepresentation(NotAcceptable, stored: [String])
    /// An instance cannot be converted from its stored transfer syntax to the one asked for.
    case notConvertible(sopInstanceUID: String, stored: String, target: String)
    /// `application/dicom` asked for several instances.
    case singlePartHoldsOneInstance
    /// No acceptable media type matches the representations of frames or bulk data stored in `stored`;
    /// `decodable` says whether a codec decodes them.
    case noFrameRepresentation(NotAcceptable, stored: String, decodable: Bool)
    /// A single-part media type asked for several frames.
    case severalFramesNeedMultipart(partType: String)

    public var description: String {
        switch self {
        case .noInstanceRepresentation(let error, let stored):
            "\(error.description); stored transfer syntaxes: \(stored.joined(separator: ", ")); conversions go through the native syntaxes and the codecs of the conformance statement"
        case .notConvertible(let sop, let stored, let target):
            "instance \(sop) is stored in \(stored) and cannot be converted to \(target)"
        case .singlePartHoldsOneInstance:
            "application/dicom holds one instance; ask for multipart/related; type=\"application/dicom\""
        case .noFrameRepresentation(let error, let stored, let decodable):
            "\(error.description) (frames stored in \(stored) can be sent as stored"
                + (decodable
                    ? ", decoded to \(Representation.explicitVRLittleEndian) or encoded in \(FrameCodecs.encodable.joined(separator: ", ")))"
                    : "; no codec decodes them)")
        case .severalFramesNeedMultipart(let partType):
            "several frames need multipart/related; type=\"\(partType)\""
        }
    }
}
