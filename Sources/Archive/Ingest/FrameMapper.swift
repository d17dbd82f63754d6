/// Assigns the fragments of encapsulated Pixel Data to frames (PS3.5 §A.4).
enum FrameMapper {
    /// The fragments of each frame.
    ///
    /// In order of preference: the Basic Offset Table, when it has one entry per frame (offsets count from
    /// the first fragment's item tag); one fragment per frame when the counts agree; all fragments for a
    /// single frame; else a new frame at every fragment that starts a JPEG family codestream is not known
    /// here, so fragments are spread evenly when they divide, and otherwise all of them form frame 1.
    static func frames(
        fragments: [ByteRange], basicOffsetTable: [UInt8], frameCount: Int, firstItemOffset: UInt64?
    ) -> [[ByteRange]] {
        guard !fragments.isEmpty else { return [] }
        if frameCount == 1 { return [fragments] }
        if fragments.count == frameCount { return fragments.map { [$0] } }
        if basicOffsetTable.count == frameCount * 4, let base = firstItemOffset {
            var starts: [UInt64] = []
            for i in 0..<frameCount {
                let b = basicOffsetTable[(i * 4)..<(i * 4 + 4)]
                var v: UInt32 = 0
                for (k, byte) in b.enumerated() { v |= UInt32(byte) << (8 * UInt32(k)) }
                starts.append(base + UInt64(v))
            }
            var result: [[ByteRange]] = Array(repeating: [], count: frameCount)
            for fragment in fragments {
                let itemStart = fragment.offset - 8
                guard let index = starts.lastIndex(where: { $0 <= itemStart }) else { continue }
                result[index].append(fragment)
            }
            if !result.contains(where: \.isEmpty) { return result }
        }
        if fragments.count % frameCount == 0 {
            let per = fragments.count / frameCount
            return (0..<frameCount).map { Array(fragments[($0 * per)..<($0 * per + per)]) }
        }
        return [fragments]
    }
}
