import Archive
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

extension RenderedController {
    /// A non-image instance in its own media type (``RenderService/document(_:)``): the encapsulated
    /// document, the video stream, or the report as text.
    func document(_ instance: StoredInstance, accept: AcceptHeader) async throws -> Response {
        guard let found = try await renderService.document(instance) else {
            if let report = try await report(instance, accept: accept) { return report }
            throw RenderService.noRenderedForm(instance)
        }
        let type = found.mediaType
        do { _ = try ContentNegotiation.negotiate(accept, offers: [Representation(type)]) } catch {
            throw DICOMwebError(.notAcceptable, "\(error.description); this instance renders as \(type)")
        }
        // Missing or damaged bytes are a 500 before the head, not a 200 with a short body.
        let document = try await renderService.prepare(found)
        let retrieve = self.retrieve
        return Response(
            status: .ok,
            headers: [.contentType: type.description, .contentLength: String(document.length)],
            body: ResponseBody { writer in
                for range in document.ranges {
                    try await retrieve.stream(instance, range: range) { try await writer.write($0) }
                }
                try await writer.finish(nil)
            })
    }
}
