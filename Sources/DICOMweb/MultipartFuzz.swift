/// Fuzz entry point for the multipart splitter (wired into `lantern-fuzz` by the lead).
public enum MultipartFuzz {
    /// Splits `data`: the first line is the boundary, the rest the body, fed in chunks of 1 to 16 bytes whose
    /// sizes come from the body itself. Errors are expected and ignored; crashes and hangs are the findings.
    public static func run(_ data: [UInt8]) {
        let lineEnd = data.firstIndex(of: 10) ?? data.endIndex
        let boundary = String(decoding: data[..<lineEnd], as: UTF8.self)
        let body = data[min(lineEnd + 1, data.endIndex)...]
        guard var splitter = try? MultipartSplitter(boundary: boundary, maxBodyChunk: 13, maxHeaderBytes: 256)
        else { return }
        var index = body.startIndex
        do {
            while index < body.endIndex {
                let end = min(body.endIndex, index + 1 + Int(body[index] & 15))
                splitter.append(body[index..<end])
                index = end
                while try splitter.next() != nil {}
            }
            splitter.finish()
            while try splitter.next() != nil {}
        } catch {}
    }
}
