import DICOMCore

/// Segmented palette colour lookup tables (PS3.3 §C.7.9.2): the Segmented Red, Green and Blue Palette Color
/// Lookup Table Data (0028,1221–1223) hold a list of segments that expand to the table.
///
/// - **Discrete** (opcode 0, length n): the n values that follow.
/// - **Linear** (opcode 1, length n, y1): n values from the previous value y0 (excluded) to y1 (included),
///   rounded to the nearest integer (halves to even, as pydicom).
/// - **Indirect** (opcode 2, count n, a 32-bit offset, low word first): the n segments found at that offset,
///   counted in table words (as pydicom and GDCM read it), expanded again.
///
/// A table that cannot be expanded (an unknown opcode, a linear or indirect first segment, an offset outside
/// the data, indirections nested too deep, over a million segments read) is `nil`; expansion stops at 65,536 entries, the most a table
/// descriptor can declare.
public enum SegmentedLUT {
    /// The most entries a table can have (PS3.3 §C.7.6.3.1.5).
    public static let maximumEntries = 65536

    /// The expanded table of `words` (the data as entries: 16-bit words, or bytes for 8-bit tables).
    public static func expand(_ words: [Int]) -> [Int]? {
        var table: [Int] = []
        var budget = 1 << 20
        guard expand(words, from: 0, segments: nil, into: &table, depth: 0, budget: &budget), !table.isEmpty
        else { return nil }
        return table
    }

    /// The entries of `data` for a table of `bits` (8 or 16; the descriptor's third value): bytes for 8-bit
    /// tables, little-endian 16-bit words otherwise.
    public static func entries(_ data: [UInt8], bits: Int) -> [Int] {
        if bits <= 8 { return data.map(Int.init) }
        return (0..<(data.count / 2)).map { Int(data[2 * $0]) | Int(data[2 * $0 + 1]) << 8 }
    }

    private static func expand(
        _ words: [Int], from start: Int, segments: Int?, into table: inout [Int], depth: Int, budget: inout Int
    ) -> Bool {
        guard depth < 8, start >= 0 else { return false }
        var at = start
        var read = 0
        // `at + 1 < count`: a trailing padding word is not a segment (every segment is longer than two words).
        while at + 1 < words.count {
            if let segments, read == segments { return true }
            // Indirect segments that point at lists of indirect segments could multiply the work without
            // adding entries: a bound on the segments read in all.
            budget -= 1
            guard budget > 0 else { return false }
            let opcode = words[at]
            let length = words[at + 1]
            at += 2
            switch opcode {
            case 0:
                guard at + length <= words.count else { return false }
                table += words[at..<(at + length)]
                at += length
            case 1:
                guard let y0 = table.last, at < words.count else { return false }
                let y1 = words[at]
                at += 1
                if length > 0 {
                    let step = Double(y1 - y0) / Double(length)
                    for i in 1...length {
                        // numpy.linspace(y0 + step, y1, length), rounded half to even (numpy.around).
                        let v =
                            length == 1
                            ? Double(y1)
                            : Double(y0) + step + Double(i - 1) * (Double(y1 - y0) - step) / Double(length - 1)
                        table.append(Int(v.rounded(.toNearestOrEven)))
                        if table.count > maximumEntries { break }
                    }
                }
            case 2:
                guard !table.isEmpty, at + 1 < words.count else { return false }
                let offset = words[at + 1] << 16 | words[at]
                at += 2
                guard offset < words.count,
                    expand(words, from: offset, segments: length, into: &table, depth: depth + 1, budget: &budget)
                else { return false }
            default:
                return false
            }
            read += 1
            if table.count > maximumEntries {
                table.removeLast(table.count - maximumEntries)
                return true
            }
        }
        return true
    }
}
