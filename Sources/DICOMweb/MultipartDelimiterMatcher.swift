#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds multipart delimiters, `CRLF "--" boundary` followed by `--` or transport padding and a line end
/// (RFC 2046 §5.1.1), in buffered body bytes for ``MultipartSplitter``.
struct MultipartDelimiterMatcher: Sendable {
    /// What is at a position.
    enum Match {
        /// Certainly not a delimiter: content.
        case notDelimiter
        /// A delimiter, or its prefix, runs to the end of the buffer: more input decides.
        case needMore
        /// A delimiter; the next part's headers start at `end`.
        case delimiter(end: Int)
        /// The close delimiter `--boundary--`; the epilogue starts at `end`.
        case close(end: Int)

        /// The same match with its end moved from a buffer-relative offset to an index (`+ origin`).
        func shifted(by origin: Int) -> Match {
            switch self {
            case .delimiter(let end): .delimiter(end: end + origin)
            case .close(let end): .close(end: end + origin)
            case .notDelimiter, .needMore: self
            }
        }
    }

    /// Longest transport padding accepted after a boundary; beyond it the delimiter is taken as content.
    static let maxPadding = 1024

    /// `CRLF "--" boundary`.
    let delimiter: [UInt8]
    /// Horspool shifts: for each byte, how far a window may move when that byte is the window's last.
    let skips: [UInt8]

    /// Creates a matcher for a boundary of 1 to 70 bytes.
    init(boundary: [UInt8]) {
        let delimiter = [13, 10, UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var skips = [UInt8](repeating: UInt8(delimiter.count), count: 256)
        for (offset, byte) in delimiter.dropLast().enumerated() {
            skips[Int(byte)] = UInt8(delimiter.count - 1 - offset)
        }
        self.delimiter = delimiter
        self.skips = skips
    }

    /// The first position in `from..<limit` where a delimiter starts or may start (when more input is needed);
    /// `nil` if every byte there is certainly content. After ``finish()``, incomplete delimiters are content.
    ///
    /// Where a whole delimiter fits in the buffer, windows are skipped Horspool-style on their last byte (runs of
    /// CR or LF in pixel data stay fast); the few last positions, where only a prefix fits, use `memchr` for CR.
    func find(in buffer: ArraySlice<UInt8>, finished: Bool, from: Int, limit: Int) -> (Int, Match)? {
        guard from < limit else { return nil }
        let origin = buffer.startIndex
        return buffer.withUnsafeBytes { raw in
            delimiter.withUnsafeBytes { pattern in
                skips.withUnsafeBufferPointer { skips in
                    let base = raw.baseAddress!
                    let length = pattern.count
                    let last = length - 1
                    let lastByte = pattern[last]
                    var index = from - origin
                    let stop = limit - origin
                    while index < stop && index + length <= raw.count {
                        let tailByte = raw[index + last]
                        if tailByte == lastByte && raw[index] == 13
                            && memcmp(base + index, pattern.baseAddress!, last) == 0
                        {
                            let match = Self.classify(raw, index, pattern)
                            if case .notDelimiter = match {
                                index += 1
                                continue
                            }
                            if case .needMore = match, finished {
                                index += 1
                                continue
                            }
                            return (index + origin, match.shifted(by: origin))
                        }
                        index += Int(skips[Int(tailByte)])
                    }
                    while index < stop {
                        guard let found = memchr(base + index, 13, stop - index) else { return nil }
                        let candidate = base.distance(to: UnsafeRawPointer(found))
                        let match = Self.classify(raw, candidate, pattern)
                        switch match {
                        case .notDelimiter: index = candidate + 1
                        case .needMore where finished: index = candidate + 1
                        default: return (candidate + origin, match.shifted(by: origin))
                        }
                    }
                    return nil
                }
            }
        }
    }

    /// Whether a delimiter starts at `index` of `buffer`; returned ends are indices of `buffer`.
    func classify(in buffer: ArraySlice<UInt8>, at index: Int) -> Match {
        let origin = buffer.startIndex
        return buffer.withUnsafeBytes { raw in
            delimiter.withUnsafeBytes { pattern in
                Self.classify(raw, index - origin, pattern).shifted(by: origin)
            }
        }
    }

    /// Whether a delimiter starts at `at` (relative offsets): `CRLF--boundary` then `--` (close) or transport
    /// padding and a line end (RFC 2046 §5.1.1). Returned ends are relative.
    static func classify(_ raw: UnsafeRawBufferPointer, _ at: Int, _ pattern: UnsafeRawBufferPointer) -> Match {
        let count = raw.count
        let length = pattern.count
        let available = count - at
        if available < length {
            return memcmp(raw.baseAddress! + at, pattern.baseAddress!, available) == 0 ? .needMore : .notDelimiter
        }
        if raw[at + 1] != 10 || memcmp(raw.baseAddress! + at, pattern.baseAddress!, length) != 0 {
            return .notDelimiter
        }
        var index = at + length
        guard index < count else { return .needMore }
        if raw[index] == UInt8(ascii: "-") {
            guard index + 1 < count else { return .needMore }
            return raw[index + 1] == UInt8(ascii: "-") ? .close(end: index + 2) : .notDelimiter
        }
        while index < count, raw[index] == 0x20 || raw[index] == 0x09 {
            index += 1
            if index - at - length > maxPadding { return .notDelimiter }
        }
        guard index < count else { return .needMore }
        switch raw[index] {
        case 10: return .delimiter(end: index + 1)
        case 13:
            guard index + 1 < count else { return .needMore }
            return raw[index + 1] == 10 ? .delimiter(end: index + 2) : .notDelimiter
        default: return .notDelimiter
        }
    }
}
