import AsyncHTTPClient
import NIOCore

/// What a streamed WADO-RS response delivers, part by part. A response that is not multipart is one part
/// whose headers are the response's own `Content-Type` and `Content-Location`.
public enum RetrieveEvent: Sendable {
    /// A part begins.
    case partStart(MultipartHeaders)
    /// The next bytes of the current part (at most 1 MiB).
    case body(ArraySlice<UInt8>)
    /// The current part is complete.
    case partEnd
}

extension DICOMwebClient {
    /// Retrieves `path` (PS3.18 §10.4: study, series, instance, metadata, frames, bulk data or rendered) with
    /// the given `Accept`, streaming each part to `handle` as it arrives; nothing is held beyond one chunk.
    /// Throws when the status is not 2xx, or when a multipart body ends before its close delimiter.
    public func retrieve(
        _ path: String, query: [(String, String)] = [], accept: String,
        _ handle: (RetrieveEvent) async throws -> Void
    ) async throws {
        let response = try await send(request(url(path, query: query), accept: accept))
        let contentType = response.headers["Content-Type"].first ?? "application/octet-stream"
        guard let type = MediaType(contentType), type.hasSameEssence(as: .multipartRelated) else {
            var headers = [MultipartHeaders.Field(name: "Content-Type", value: contentType)]
            if let location = response.headers["Content-Location"].first {
                headers.append(.init(name: "Content-Location", value: location))
            }
            try await handle(.partStart(MultipartHeaders(headers)))
            for try await buffer in response.body { try await handle(.body(Array(buffer.readableBytesView)[...])) }
            try await handle(.partEnd)
            return
        }
        var splitter = try MultipartSplitter(
            boundary: try MultipartBoundary.boundary(fromContentType: contentType), maxBodyChunk: 1 << 20)
        var ended = false
        func drain() async throws {
            while let event = try splitter.next() {
                switch event {
                case .partStart(let headers): try await handle(.partStart(headers))
                case .body(let bytes): try await handle(.body(bytes))
                case .partEnd: try await handle(.partEnd)
                case .end: ended = true
                }
            }
        }
        for try await buffer in response.body {
            splitter.append(Array(buffer.readableBytesView))
            try await drain()
        }
        splitter.finish()
        try await drain()
        guard ended else { throw DICOMwebClientError(status: Int(response.status.code), "the response ended early") }
    }

}
