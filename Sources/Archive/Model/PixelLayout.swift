import DICOMCore

/// One byte range of a stored object.
public struct ByteRange: Hashable, Sendable {
    /// First byte.
    public var offset: UInt64
    /// Number of bytes.
    public var length: UInt64
    /// Creates a range.
    public init(offset: UInt64, length: UInt64) {
        self.offset = offset
        self.length = length
    }
}

/// Where the frames of an instance's Pixel Data lie in its stored bytes, computed once at ingest so that
/// `/frames` never parses the instance again (ARCHITECTURE §1).
public enum PixelLayout: Hashable, Sendable {
    /// Native pixel data: frame `n` (1-based) is `frameLength` bytes at `offset + (n - 1) × frameLength`.
    case native(offset: UInt64, frameLength: UInt64, frames: Int)
    /// Encapsulated pixel data (PS3.5 §A.4): each frame is the concatenation of its fragments' values.
    case encapsulated(frames: [[ByteRange]])

    /// Number of frames.
    public var frameCount: Int {
        switch self {
        case .native(_, _, let frames): frames
        case .encapsulated(let frames): frames.count
        }
    }

    /// The byte ranges of frame `number` (1-based), or `nil` when there is no such frame.
    public func ranges(ofFrame number: Int) -> [ByteRange]? {
        guard number >= 1, number <= frameCount else { return nil }
        switch self {
        case .native(let offset, let length, _):
            return [ByteRange(offset: offset + UInt64(number - 1) * length, length: length)]
        case .encapsulated(let frames):
            return frames[number - 1]
        }
    }

    /// A compact binary form for the index: little-endian UInt64 words.
    public var encoded: [UInt8] {
        var words: [UInt64] = []
        switch self {
        case .native(let offset, let length, let frames):
            words = [0, offset, length, UInt64(frames)]
        case .encapsulated(let frames):
            words = [1, UInt64(frames.count)]
            for frame in frames {
                words.append(UInt64(frame.count))
                for r in frame { words += [r.offset, r.length] }
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(words.count * 8)
        for w in words { withUnsafeBytes(of: w.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// Decodes ``encoded``; `nil` when the bytes are not a layout.
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count % 8 == 0, !bytes.isEmpty else { return nil }
        var words = [UInt64]()
        words.reserveCapacity(bytes.count / 8)
        var i = 0
        while i < bytes.count {
            var w: UInt64 = 0
            for k in 0..<8 { w |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            words.append(w)
            i += 8
        }
        var p = 1
        func take() -> UInt64? {
            guard p < words.count else { return nil }
            defer { p += 1 }
            return words[p]
        }
        switch words[0] {
        case 0:
            guard words.count == 4 else { return nil }
            self = .native(offset: words[1], frameLength: words[2], frames: Int(words[3]))
        case 1:
            guard let n = take(), n <= UInt64(words.count) else { return nil }
            var frames: [[ByteRange]] = []
            for _ in 0..<n {
                guard let k = take(), k <= UInt64(words.count) else { return nil }
                var frame: [ByteRange] = []
                for _ in 0..<k {
                    guard let o = take(), let l = take() else { return nil }
                    frame.append(ByteRange(offset: o, length: l))
                }
                frames.append(frame)
            }
            self = .encapsulated(frames: frames)
        default: return nil
        }
    }
}
