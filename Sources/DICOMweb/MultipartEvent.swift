/// What ``MultipartSplitter`` found next in a `multipart/related` body (RFC 2046 §5.1.1, RFC 2387).
public enum MultipartEvent: Sendable, Hashable {
    /// A body part begins; its header block has been read completely.
    case partStart(headers: MultipartHeaders)
    /// The next bytes of the current part's content, never longer than the splitter's `maxBodyChunk`.
    /// The slice may share storage with a chunk passed to `append`.
    case body(ArraySlice<UInt8>)
    /// The current part ended at a boundary delimiter.
    case partEnd
    /// The close delimiter was read; the epilogue, if any, is ignored.
    case end
}
