/// Byte-order helpers for the retired big endian transfer syntax (PS3.5 §7.3).
public enum ByteOrder {
    /// Reverses the bytes of each `wordSize`-byte number in `bytes` (a trailing partial word is kept as is).
    static func swapped(_ bytes: [UInt8], wordSize: Int) -> [UInt8] {
        var out = bytes
        swap(&out, wordSize: wordSize)
        return out
    }

    /// Reverses, in place, the bytes of each `wordSize`-byte number in `bytes` (a trailing partial word is kept
    /// as is).
    public static func swap(_ bytes: inout [UInt8], wordSize: Int) {
        guard wordSize > 1, bytes.count >= wordSize else { return }
        bytes.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            while i + wordSize <= buffer.count {
                var lo = i
                var hi = i + wordSize - 1
                while lo < hi {
                    buffer.swapAt(lo, hi)
                    lo += 1
                    hi -= 1
                }
                i += wordSize
            }
        }
    }

    /// The word size to swap for `vr` when the stream is big endian; 1 means no swap.
    public static func swapWordSize(for vr: VR) -> Int {
        switch vr {
        case .OB, .UN: 1
        default: max(vr.wordSize, 1)
        }
    }
}
