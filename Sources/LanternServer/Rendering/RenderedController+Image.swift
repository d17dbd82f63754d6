import Archive
import DICOMCore
import DICOMImaging
import HTTPTypes
import Hummingbird
import NIOCore

extension RenderedController {
    /// `file` with the instance's ICC Profile (0028,2000) embedded, nil when it has none (or the format cannot).
    static func withProfile(_ file: [UInt8], _ source: RenderSource, _ format: RenderedFormat) -> [UInt8]? {
        guard case .bytes(let profile)? = source.attributes[Tag.iccProfile]?.value, !profile.isEmpty else {
            return nil
        }
        return ICCProfileEmbedding.embed(profile, in: file, format: format)
    }

    /// One rendered image: frame `frame`, or (without one) an animation of every frame for GIF and the first
    /// frame otherwise.
    func image(
        _ source: RenderSource, frame: Int?, format: RenderedFormat, _ query: RenderQuery, headers: HTTPFields
    ) async throws -> Response {
        if frame == nil && format.isAnimated && source.frames > 1 {
            return try await animation(
                source, query, delay: RenderService.frameDelay(source.attributes), headers: headers)
        }
        let image = try await render(source, frame ?? 1, query)
        var body = try await retrieve.encodeRendered([image], format: format, quality: query.quality)
        var headers = headers
        if query.embedProfile {
            if let embedded = Self.withProfile(body, source, format) {
                body = embedded
            } else {
                headers.append(
                    contentsOf: HTTPFields.warnings(["the instance has no ICC Profile (0028,2000) to embed"]))
            }
        }
        return Self.single(body, format: format, headers: headers)
    }

    /// A single rendered image in `format`, with `headers`.
    static func single(_ body: [UInt8], format: RenderedFormat, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = format.rawValue
        headers[.contentLength] = String(body.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Frame `number` of `source` rendered and written in `format`.
    func encode(
        _ source: RenderSource, _ number: Int, _ format: RenderedFormat, _ query: RenderQuery
    ) async throws -> [UInt8] {
        try await retrieve.encodeRendered(
            [try await render(source, number, query)], format: format, quality: query.quality)
    }

    func render(_ source: RenderSource, _ number: Int, _ query: RenderQuery) async throws -> RenderedImage {
        try await retrieve.renderedFrame(
            source, number: number, window: query.window, viewport: query.viewport, annotations: query.annotations)
    }

    /// A multi-frame instance as a GIF animation, written frame by frame as each is rendered.
    private func animation(
        _ source: RenderSource, _ query: RenderQuery, delay: Int, headers: HTTPFields
    ) async throws
        -> Response
    {
        let first = try await render(source, 1, query)
        var headers = headers
        headers[.contentType] = RenderedFormat.gif.rawValue
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(
                    ByteBuffer(
                        bytes: GIFEncoder.header(
                            width: first.width, height: first.height, colour: first.channels == 3, animated: true)))
                for number in 1...source.frames {
                    let image = number == 1 ? first : try await render(source, number, query)
                    try await writer.write(ByteBuffer(bytes: GIFEncoder.frame(image, delay: delay)))
                }
                try await writer.write(ByteBuffer(bytes: GIFEncoder.trailer))
                try await writer.finish(nil)
            })
    }
}
