import DICOMBinary
import DICOMCore

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
            out.append(Self.string(Tag(next), insertedValue(next, existing: nil)))
            pending.removeFirst()
        }
        if let next = pending.first, next == tag.rawValue {
            pending.removeFirst()
            guard case .element(_, let bytes) = event else { return out + [event] }
            return out + [Self.string(tag, insertedValue(next, existing: bytes))]
        }
        guard case .element(let h, let bytes) = event else { return out + [event] }
        switch tag.rawValue {
        case 0x0028_0004:
            let input = Self.text(bytes)
            let samples = attributes.int(Tag(0x0028_0002)) ?? 1
            let output = photometric(input, samples)
            return out + [output == input ? event : Self.string(h.tag, output)]
        case 0x0028_0006:
            guard let planarConfiguration else { return out + [event] }
            let value = UInt16(planarConfiguration)
            return out + [
                .element(
                    ElementHeader(tag: h.tag, vr: .US, length: .defined(2), offset: 0, valueOffset: 0),
                    [UInt8(value & 0xFF), UInt8(value >> 8)])
            ]
        default:
            return out + [event]
        }
    }

    private func insertedValue(_ tag: UInt32, existing: [UInt8]?) -> String {
        if tag == 0x0028_2110 { return "01" }
        let previous = existing.map(Self.text) ?? ""
        return previous.isEmpty ? lossyMethod ?? "" : previous + "\\" + (lossyMethod ?? "")
    }

    private static func text(_ bytes: [UInt8]) -> String {
        var trimmed = bytes[...]
        while let last = trimmed.last, last == 0x20 || last == 0 { trimmed.removeLast() }
        while let first = trimmed.first, first == 0x20 { trimmed.removeFirst() }
        return String(decoding: trimmed, as: UTF8.self)
    }

    private static func string(_ tag: Tag, _ value: String) -> ParseEvent {
        var bytes = Array(value.utf8)
        if bytes.count % 2 == 1 { bytes.append(0x20) }
        return .element(
            ElementHeader(tag: tag, vr: .CS, length: .defined(UInt32(bytes.count)), offset: 0, valueOffset: 0), bytes)
    }
}
