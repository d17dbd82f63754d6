/// The item-encoded byte stream of encapsulated pixel data (PS3.5 §A.4), as carried whole in an
/// InlineBinary value: items (FFFE,E000) with their lengths, then a sequence delimiter.
public enum EncapsulatedStream {
    /// Encodes the offset table and fragments as items followed by the sequence delimitation item.
    public static func encode(_ pixels: EncapsulatedPixelData) -> [UInt8] {
        var out: [UInt8] = []
        for fragment in [pixels.basicOffsetTable] + pixels.fragments {
            let n = UInt32(fragment.count)
            out += [
                0xFE, 0xFF, 0x00, 0xE0, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24),
            ]
            out += fragment
        }
        out += [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
        return out
    }

    /// Parses such a stream; `nil` if `bytes` is not one.
    public static func parse(_ bytes: [UInt8]) -> EncapsulatedPixelData? {
        var i = 0
        var items: [[UInt8]] = []
        while i + 8 <= bytes.count {
            let tag =
                UInt32(bytes[i + 2]) | UInt32(bytes[i + 3]) << 8 | UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 24
            let n = Int(
                UInt32(bytes[i + 4]) | UInt32(bytes[i + 5]) << 8 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7])
                    << 24)
            i += 8
            if tag == Tag.sequenceDelimitation.rawValue {
                guard !items.isEmpty else { return nil }
                return EncapsulatedPixelData(basicOffsetTable: items[0], fragments: Array(items.dropFirst()))
            }
            guard tag == Tag.item.rawValue, n <= bytes.count - i else { return nil }
            items.append(Array(bytes[i..<(i + n)]))
            i += n
        }
        return nil
    }
}
