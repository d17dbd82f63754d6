import DICOMBinary
import DICOMCore

/// The attributes of an image that rendering reads (PS3.3 §C.11: Modality LUT, VOI LUT, Presentation LUT;
/// §C.7.6.3: palette colour), with their numeric values decoded.
struct RenderAttributes {
    let dataSet: DataSet

    func numbers(_ tag: UInt32) -> [Double] {
        guard case .numbers(let values)? = try? dataSet.modelValues(Tag(tag)) else { return [] }
        return values.compactMap { $0.flatMap(Double.init) }
    }

    func string(_ tag: UInt32) -> String? { dataSet.string(Tag(tag)) }

    /// A lookup table of a sequence item or of palette colour: the descriptor (entries, first mapped value,
    /// bits) and the data (PS3.3 §C.11.1.1.1).
    static func table(descriptor: [Double], data: DataElement?) -> LookupTable? {
        guard descriptor.count == 3, let data, case .bytes(let bytes) = data.value, !bytes.isEmpty else { return nil }
        let entries = descriptor[0] == 0 ? 65536 : Int(descriptor[0])
        var first = Int(descriptor[1])
        if first > 32767 && data.vr != .SS { first -= 65536 }  // US descriptors hold two's complement first values
        let bits = Int(descriptor[2])
        var values: [Int] = []
        if bytes.count >= 2 * entries {
            values = (0..<entries).map { Int(bytes[2 * $0]) | Int(bytes[2 * $0 + 1]) << 8 }
        } else if bytes.count >= entries {
            values = bytes.prefix(entries).map(Int.init)
        } else {
            return nil
        }
        return LookupTable(first: first, values: values, bits: max(1, min(16, bits)))
    }

    func sequenceTable(_ sequence: UInt32) -> LookupTable? {
        guard let item = dataSet[Tag(sequence)]?.value.items?.first else { return nil }
        let attributes = RenderAttributes(dataSet: item)
        return Self.table(descriptor: attributes.numbers(0x0028_3002), data: item[Tag.lutData])
    }
}

/// A LUT: values for inputs first…first + count − 1, the first and last values extending beyond.
struct LookupTable {
    let first: Int
    let values: [Int]
    let bits: Int

    func callAsFunction(_ x: Double) -> Double {
        // x comes from stored values through a rescale (a slope of 1e300 is possible): clamped to the table
        // before it becomes an Int, so that it can never trap; NaN reads the first entry.
        let offset = x.rounded(.down) - Double(first)
        let index = offset.isNaN ? 0 : Int(max(0, min(Double(values.count - 1), offset)))
        return Double(values[index])
    }

    /// The largest value the table can hold.
    var top: Double { Double((1 << bits) - 1) }
}
