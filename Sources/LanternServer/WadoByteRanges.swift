import Archive
import HTTPTypes
import Hummingbird
import NIOCore

extension WadoController {
    /// Applies the request's `Range` header (RFC 9110 §14.2) to a single-part body made of the stored byte
    /// ranges `ranges`, in order: one implementation for bare bulk data, frames and pixel data, and for a single
    /// instance sent as stored (`application/dicom`). Sets `Accept-Ranges: bytes` and, for a range,
    /// `Content-Range`. Returns the status and the stored ranges to send: 200 and `ranges` without a `Range`
    /// header, 206 and the stored pieces of the range asked for; `nil` when the range cannot be satisfied
    /// (`Content-Range: bytes */total` is set, and the caller answers 416).
    static func applyRange(
        _ request: Request, to ranges: [ByteRange], headers: inout HTTPFields
    ) -> (HTTPResponse.Status, [ByteRange])? {
        let total = ranges.reduce(UInt64(0)) { $0 + $1.length }
        headers[.acceptRanges] = "bytes"
        guard let rangeHeader = request.headers[.range] else { return (.ok, ranges) }
        guard let range = ByteRangeRequest(rangeHeader, total: total) else {
            headers[.contentRange] = "bytes */\(total)"
            return nil
        }
        headers[.contentRange] = "bytes \(range.first)-\(range.last)/\(total)"
        return (.partialContent, range.slice(ranges))
    }

    /// A single instance as stored (`application/dicom`), whole or the byte range asked for (206, 416).
    static func storedInstance(
        _ request: Request, _ instance: StoredInstance, headers: HTTPFields, _ retrieve: RetrieveService
    ) -> Response {
        var headers = headers
        let whole = [ByteRange(offset: 0, length: instance.size)]
        guard let (status, send) = applyRange(request, to: whole, headers: &headers) else {
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        headers[.contentLength] = String(send.reduce(UInt64(0)) { $0 + $1.length })
        return Response(
            status: status, headers: headers,
            body: ResponseBody { writer in
                for range in send {
                    try await retrieve.stream(instance, range: range) { try await writer.write($0) }
                }
                try await writer.finish(nil)
            })
    }
}
