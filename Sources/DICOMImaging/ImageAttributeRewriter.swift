import DICOMBinary
import DICOMCore
import DICOMDictionary

/// Rewrites the top-level Image Pixel attributes of a transcoded data set so that they describe the new Pixel
/// Data (PS3.18 §8.7.3.5: the metadata stays consistent with the bytes): Photometric Interpretation
/// (0028,0004) and Planar Configuration (0028,0006) from the output geometry, and, when a lossy codec encodes,
/// Lossy Image Compression (0028,2110) "01" and Lossy Image Compression Method (0028,2114) (PS3.3
/// §C.7.6.1.1.5), inserted in tag order when absent. Lossy Image Compression Ratio (0028,2112) is not
/// written: the attributes precede Pixel Data, which is encoded one frame at a time after they are sent.
struct ImageAttributeRewriter {
    /// The output Photometric Interpretation for an input one and its Samples per Pixel.
    let photometric: (String, Int) -> String
    /// The output Planar Configuration, or nil to keep it.
    let planarConfiguration: Int?
    /// The Lossy Image Compression Method to record, nil when the output is not newly lossy.
    let lossyMethod: String?
    private var pending: [UInt32]

    init(photometric: @escaping (String, Int) -> String, planarConfiguration: Int?, lossyMethod: String?) {
        self.photometric = photometric
        self.planarConfiguration = planarConfiguration
        self.lossyMethod = lossyMethod
        pending = lossyMethod == nil ? [] : [0x0028_2110, 0x0028_2114]
    }

    /// The events to write for a top-level `event` with `tag`; `attributes` are the group 0028 elements seen
    /// before it.
    mutating func rewrite(_ event: ParseEvent, tag: Tag, attributes: DataSet) -> [ParseEvent] {
        var out: [ParseEvent] = []
        while let next = pending.first, next < tag.rawValue {
            out += Self.string(Tag(next), insertedValue(next, existing: nil))
            pending.removeFirst()
        }
        if let next = pending.first, next == tag.rawValue {
            pending.removeFirst()
            guard case .element(_, let bytes) = event else { return out + [event] }
            return out + Self.string(tag, insertedValue(next, existing: bytes))
        }
        guard case .element(let h, let bytes) = event else { return out + [event] }
        switch tag.rawValue {
        case 0x0028_0004:
            let input = EventReplay.strings(h.tag, h.vr, bytes).first ?? ""
            let samples = attributes.int(Tag.samplesPerPixel) ?? 1
            let output = photometric(input, samples)
            return out + (output == input ? [event] : Self.string(h.tag, output))
        case 0x0028_0006:
            guard let planarConfiguration else { return out + [event] }
            return out + EventReplay.events(of: .unsignedShort(h.tag, UInt16(planarConfiguration)))
        default:
            return out + [event]
        }
    }

    private func insertedValue(_ tag: UInt32, existing: [UInt8]?) -> String {
        if tag == 0x0028_2110 { return "01" }
        let previous = existing.map { EventReplay.strings(Tag(tag), .CS, $0) } ?? []
        return (previous + [lossyMethod ?? ""]).joined(separator: "\\")
    }

    private static func string(_ tag: Tag, _ value: String) -> [ParseEvent] {
        EventReplay.events(of: .text(tag, .CS, value))
    }
}
