import DICOMCore

/// A byte range of a part's file.
struct FileRange: Sendable, Hashable {
    /// Index into the request's parts.
    var part: Int
    var offset: UInt64
    var length: UInt64
}

/// A top-level value written from the parts' files rather than from memory.
enum StreamedValue {
    /// A native value: the ranges concatenated, padded to even length with the VR's padding byte.
    case native(vr: VR, [FileRange])
    /// Encapsulated pixel data (PS3.5 §A.4): an empty Basic Offset Table item, then one fragment per range.
    case encapsulated([FileRange])
    /// Native pixel data decoded from a PNG part.
    case png(PNGDecoder, part: Int, vr: VR)

    /// The native value's length before padding (`nil` for encapsulated values).
    var unpaddedLength: UInt64? {
        switch self {
        case .native(_, let ranges): ranges.reduce(0) { $0 + $1.length }
        case .encapsulated: nil
        case .png(let decoder, _, _): decoder.outputLength
        }
    }
}
