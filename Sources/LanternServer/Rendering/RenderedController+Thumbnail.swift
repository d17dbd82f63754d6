import Archive
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

extension RenderedController {
    /// `…/thumbnail` (Supplement 203): one small image without annotations, of the instance
    /// ``RenderService/thumbnailInstance(_:of:)`` chooses.
    func thumbnail(
        _ request: Request, _ selection: InstanceSelection, frames list: String? = nil
    ) async throws
        -> Response
    {
        let query = try RenderQuery(request, thumbnail: true, maximumPixels: configuration.maxRenderedPixels)
        let found = try await retrieve.instances(selection)
        let chosen = try RenderService.thumbnailInstance(found, of: selection)
        let offers = Self.imageFormats.map { Representation(Self.mediaType($0)) }
        let negotiated: NegotiatedRepresentation
        do { negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: offers) } catch {
            throw DICOMwebError(
                .notAcceptable, "\(error.description); thumbnails are image/jpeg, image/png or image/gif")
        }
        let format = Self.imageFormats[negotiated.offerIndex]
        let source = try await retrieve.renderSource(chosen)
        let number = try list.map { try BulkSelection.frameNumbers($0, count: source.frames)[0] }
        let image = try await renderService.thumbnail(source, frame: number, viewport: query.viewport)
        let body = try await retrieve.encodeRendered([image], format: format, quality: nil)
        return Response(
            status: .ok,
            headers: [
                .contentType: format.rawValue, .contentLength: String(body.count),
                .cacheControl: "private, max-age=0, must-revalidate",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
