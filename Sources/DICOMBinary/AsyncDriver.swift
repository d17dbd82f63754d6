extension StreamParser {
    /// Feeds the parser from an asynchronous sequence of byte chunks (an HTTP body, a file read in the
    /// background) and hands every event to `body`, in order, until ``ParseEvent/end``. Only the bytes of
    /// the current chunk and the parser's bounded window are in memory at any time.
    ///
    /// Throws ``DICOMParseError`` when the stream is malformed or ends early, or whatever `body` throws.
    public mutating func parse<Chunks: AsyncSequence>(
        _ chunks: Chunks, _ body: (ParseEvent) async throws -> Void
    ) async throws where Chunks.Element: Collection, Chunks.Element.Element == UInt8 {
        for try await chunk in chunks {
            append(chunk)
            while let event = try next() {
                try await body(event)
                if case .end = event { return }
            }
        }
        finish()
        while let event = try next() {
            try await body(event)
            if case .end = event { return }
        }
        throw DICOMParseError(code: .truncated, offset: 0, path: "", message: "the stream ended early")
    }
}
