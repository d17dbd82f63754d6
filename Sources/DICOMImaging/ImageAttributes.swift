import DICOMBinary
import DICOMCore

/// Follows a parse event stream for the codec streams: whether an event is at the top level of the data set
/// (not file meta, not inside a sequence), and the Image Pixel attributes (group 0028) read so far, which
/// precede Pixel Data (PS3.5 §7.1: elements in tag order).
struct ImageAttributes {
    private var depth = 0
    private var inDataSet = false
    /// The top-level group 0028 elements seen.
    private(set) var dataSet = DataSet()

    /// The tag of `event` when it starts a top-level element, sequence or pixel data of the data set (ask
    /// before ``observe(_:)``).
    func topLevelTag(_ event: ParseEvent) -> Tag? {
        guard inDataSet, depth == 0 else { return nil }
        switch event {
        case .element(let h, _), .elementStart(let h), .sequenceStart(let h), .encapsulatedStart(let h),
            .bulkData(let h, _):
            return h.tag
        default:
            return nil
        }
    }

    /// Takes an event; returns whether it is a top-level element (or pixel data) of the data set.
    mutating func observe(_ event: ParseEvent) -> Bool {
        switch event {
        case .dataSetStart:
            inDataSet = true
        case .sequenceStart:
            depth += 1
        case .sequenceEnd:
            depth -= 1
        case .element(let h, let bytes):
            guard inDataSet, depth == 0 else { return false }
            if h.tag.group == 0x0028 { dataSet.set(DataElement(h.tag, h.vr, bytes: bytes)) }
            return true
        case .elementStart, .encapsulatedStart:
            return inDataSet && depth == 0
        default:
            break
        }
        return false
    }

    /// The geometry the attributes give.
    func geometry() throws(CodecError) -> FrameGeometry { try FrameGeometry(dataSet) }
}
