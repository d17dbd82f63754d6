import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A JSON answer (`application/json`, keys sorted, never cached) of the server's own resources outside DICOMweb:
/// the readiness report and the change feed.
enum JSONResponse {
    /// `object` (made of dictionaries, arrays, strings and numbers) as the body of a `status` answer.
    static func make(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
