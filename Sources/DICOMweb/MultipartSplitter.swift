#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A streaming, push-style splitter for `multipart/related` bodies (RFC 2046 §5.1.1, RFC 2387, PS3.18 §8.6).
///
/// Feed the body with ``append(_:)`` as it arrives, call ``next()`` until it returns `nil`
/// (it needs more input), and call ``finish()`` at the end of the body, then drain ``next()`` again:
///
///     var splitter = try MultipartSplitter(boundary: "b")
///     for chunk in chunks {
///         splitter.append(chunk)
///         while let event = try splitter.next() { handle(event) }
///     }
///     splitter.finish()
///     while let event = try splitter.next() { handle(event) }
///
/// Memory stays bounded whatever the part size: content is handed out as soon as it cannot be the start of a
/// boundary delimiter, in slices of at most `maxBodyChunk` bytes, and only a short unmatched tail (at most a
/// delimiter plus transport padding, or a partial header line) is copied in front of the next chunk.
///
/// Accepted syntax: a preamble before the first delimiter and an epilogue after the close delimiter (both
/// ignored); the first `--boundary` may start the body; transport padding (spaces, tabs) after a delimiter;
/// CRLF, or a bare LF, ending the boundary line and header lines; folded header lines. A `CRLF--boundary` that
/// is followed by neither `--`, padding + line end is part content. A part may have no headers and no content.
///
/// Errors are sticky. A body that ends inside a part yields `MultipartError.Code.missingClosingBoundary`
/// (after the remaining content of that part, and after every complete earlier part).
public struct MultipartSplitter: Sendable {
    private enum State: Sendable {
        case preamble, headers, bodyStart, body, closed, done
        case failed(MultipartError)
    }

    /// The largest content slice returned in one ``MultipartEvent/body(_:)`` event.
    public let maxBodyChunk: Int
    /// The largest header block accepted for one part.
    public let maxHeaderBytes: Int
    private let matcher: MultipartDelimiterMatcher
    private var buffer: ArraySlice<UInt8>
    private var position: Int
    /// Stream offset of `buffer.startIndex` (starts at -2: a CRLF is put in front so that a body beginning
    /// with `--boundary` needs no special case).
    private var bufferBase = -2
    private var finished = false
    private var state = State.preamble
    private var headerFields: [MultipartHeaders.Field] = []
    private var headerBytes = 0

    /// Creates a splitter for `boundary` (the value of the Content-Type `boundary` parameter, without `--`).
    /// Throws `invalidBoundary` unless it has 1 to 70 bytes and no CR or LF (RFC 2046 §5.1.1).
    public init(
        boundary: String, maxBodyChunk: Int = 64 * 1024, maxHeaderBytes: Int = 16 * 1024
    )
        throws(MultipartError)
    {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), !bytes.contains(13), !bytes.contains(10) else {
            throw MultipartError(.invalidBoundary, message: "boundary must have 1 to 70 characters and no line break")
        }
        precondition(maxBodyChunk > 0 && maxHeaderBytes > 0)
        self.matcher = MultipartDelimiterMatcher(boundary: bytes)
        self.maxBodyChunk = maxBodyChunk
        self.maxHeaderBytes = maxHeaderBytes
        self.buffer = [13, 10][...]
        self.position = buffer.startIndex
    }

    /// Adds the next bytes of the body. Drain ``next()`` before appending again, or unread bytes accumulate.
    public mutating func append(_ chunk: ArraySlice<UInt8>) {
        precondition(!finished, "append after finish")
        switch state {
        case .done, .failed: return
        default: break
        }
        bufferBase += position - buffer.startIndex
        if position == buffer.endIndex {
            buffer = chunk
        } else {
            // Copy the short unread tail and the chunk into fresh storage; never grow a carried-over buffer.
            var merged: [UInt8] = []
            merged.reserveCapacity(buffer.endIndex - position + chunk.count)
            merged.append(contentsOf: buffer[position...])
            merged.append(contentsOf: chunk)
            buffer = merged[...]
        }
        position = buffer.startIndex
    }

    /// Adds the next bytes of the body.
    public mutating func append(_ chunk: [UInt8]) { append(chunk[...]) }

    /// How many received bytes are held, not yet handed out (for tests and diagnostics): after draining
    /// ``next()``, at most a partial delimiter with its padding, or a partial header line.
    var bufferedByteCount: Int { buffer.endIndex - position }

    /// Marks the end of the body; the following ``next()`` calls deliver what remains, then `nil` or an error.
    public mutating func finish() { finished = true }

    /// The next event, or `nil` when more input (or ``finish()``) is needed, or after ``MultipartEvent/end``.
    public mutating func next() throws(MultipartError) -> MultipartEvent? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .done:
                return nil
            case .closed:
                state = .done
                buffer = [][...]
                position = buffer.startIndex
                return .end
            case .preamble:
                let end = buffer.endIndex
                guard let (at, match) = matcher.find(in: buffer, finished: finished, from: position, limit: end) else {
                    position = end
                    if finished { throw failure(.missingBoundary, "no boundary delimiter found") }
                    return nil
                }
                if !passDelimiter(match) {
                    position = at
                    return nil
                }
            case .headers:
                switch try readHeaderLine() {
                case .event(let event): return event
                case .line: continue
                case .needMore: return nil
                }
            case .bodyStart:
                guard position < buffer.endIndex else {
                    if finished { throw failure(.missingClosingBoundary, "body ended inside a part") }
                    return nil
                }
                if buffer[position] == 10 {
                    // Defensive: `.bodyStart` is entered at the CR of a CRLF blank line, so this is not expected.
                    position += 1
                    state = .body
                    continue
                }
                let match = matcher.classify(in: buffer, at: position)
                if passDelimiter(match) { return .partEnd }
                if case .needMore = match, !finished { return nil }
                // The CR LF ending the header block, followed by content.
                position += 2
                state = .body
            case .body:
                return try nextBodyEvent()
            }
        }
    }

    private mutating func nextBodyEvent() throws(MultipartError) -> MultipartEvent? {
        let start = position
        let end = buffer.endIndex
        let limit = start + min(end - start, maxBodyChunk)
        guard let (at, match) = matcher.find(in: buffer, finished: finished, from: start, limit: limit) else {
            guard limit > start else {
                if finished { throw failure(.missingClosingBoundary, "body ended before the close delimiter") }
                return nil
            }
            position = limit
            return .body(buffer[start..<limit])
        }
        if at > start {
            position = at
            return .body(buffer[start..<at])
        }
        return passDelimiter(match) ? .partEnd : nil
    }

    /// Moves past a delimiter (the next part's headers follow) or the close delimiter (the epilogue
    /// follows); `false`, changing nothing, for any other match.
    private mutating func passDelimiter(_ match: MultipartDelimiterMatcher.Match) -> Bool {
        switch match {
        case .delimiter(let next):
            position = next
            startHeaders()
            return true
        case .close(let next):
            position = next
            state = .closed
            return true
        case .notDelimiter, .needMore:
            return false
        }
    }

    private mutating func startHeaders() {
        state = .headers
        headerFields = []
        headerBytes = 0
    }

    private enum HeaderStep {
        case event(MultipartEvent)
        case line
        case needMore
    }

    /// Consumes one header line: the blank line ending the block gives `.partStart`.
    private mutating func readHeaderLine() throws(MultipartError) -> HeaderStep {
        let end = buffer.endIndex
        let lineFeed = buffer[position..<end].withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress, let found = memchr(base, 10, raw.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }.map { position + $0 }
        guard let lineFeed else {
            if headerBytes + (end - position) > maxHeaderBytes {
                throw failure(.headerTooLarge, "part header block exceeds \(maxHeaderBytes) bytes")
            }
            if finished { throw failure(.truncatedHeaders, "body ended inside a part's headers") }
            return .needMore
        }
        headerBytes += lineFeed + 1 - position
        if headerBytes > maxHeaderBytes {
            throw failure(.headerTooLarge, "part header block exceeds \(maxHeaderBytes) bytes")
        }
        var lineEnd = lineFeed
        if lineEnd > position && buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
        let line = buffer[position..<lineEnd]
        if line.isEmpty {
            let headers = MultipartHeaders(headerFields)
            headerFields = []
            if lineEnd < lineFeed {
                // Leave the CR LF: it may be the start of the next delimiter (a part with no content).
                state = .bodyStart
            } else {
                position = lineFeed + 1
                state = .body
            }
            return .event(.partStart(headers: headers))
        }
        if line.first == 0x20 || line.first == 0x09, !headerFields.isEmpty {
            // obs-fold continuation (RFC 5322 §2.2.3): join with a single space.
            let more = Self.trimmed(line)
            if !more.isEmpty {
                headerFields[headerFields.count - 1].value += " " + String(decoding: more, as: UTF8.self)
            }
        } else {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw failure(.malformedHeader, "header line without a colon")
            }
            let name = Self.trimmed(line[..<colon])
            guard !name.isEmpty, name.allSatisfy(HTTPFieldScanner.isTokenByte) else {
                throw failure(.malformedHeader, "invalid header field name")
            }
            headerFields.append(
                MultipartHeaders.Field(
                    name: String(decoding: name, as: UTF8.self),
                    value: String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)))
        }
        position = lineFeed + 1
        return .line
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice.removeLast() }
        return slice
    }

    /// Records a sticky error at the current position and returns it for throwing.
    private mutating func failure(_ code: MultipartError.Code, _ message: String) -> MultipartError {
        let offset = max(0, bufferBase + (position - buffer.startIndex))
        let error = MultipartError(code, byteOffset: offset, message: message)
        state = .failed(error)
        return error
    }
}
