import Archive
import DICOMCore
import DICOMImaging
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// WADO-RS rendered and thumbnail resources (PS3.18 §10.4.1.1.3–4, §8.3.5, §8.7.4).
///
/// - **Instance and frames:** one image. A multi-frame instance is an animation when `image/gif` is chosen,
///   else its first frame; several frames are a multipart response, one part per frame.
/// - **Study and series:** multipart, one part per image instance, in storage order (instances that are not
///   images are left out).
/// - **Non-image instances:** an Encapsulated PDF as `application/pdf`, an Encapsulated CDA as `text/xml`, and
///   MPEG-2 / MPEG-4 / HEVC video as its stream (`video/mpeg`, `video/mp4`), unchanged; a Structured Report as
///   `text/html` or `text/plain` (``ReportRendering``), and a study or series without images as its reports.
/// - **Thumbnail:** one image, no annotation: the middle frame of the instance, of the middle image instance of
///   the series, of the first series with images of the study (storage order); 128 × 128 at most unless
///   `viewport=vw,vh` says otherwise.
///
/// What renders, and how, is decided by ``RenderService``; this controller reads the request, negotiates the
/// media type and streams the result.
struct RenderedController {
    let retrieve: RetrieveService
    let configuration: ServerConfiguration

    /// The rendering decisions.
    var renderService: RenderService { RenderService(retrieve: retrieve) }

    /// The rendered image types (Table 8.7.4-1), JPEG first: it is the default.
    static let imageFormats: [RenderedFormat] = [.jpeg, .png, .gif]

    static func mediaType(_ format: RenderedFormat) -> DICOMweb.MediaType {
        switch format {
        case .jpeg: .jpeg
        case .png: .png
        case .gif: .gif
        case .jp2: .jp2
        }
    }

    /// `…/rendered` of a study, series or instance; `frames` for `…/frames/{frames}/rendered`.
    func rendered(
        _ request: Request, _ selection: InstanceSelection, frames list: String? = nil
    ) async throws
        -> Response
    {
        let query = try RenderQuery(request, maximumPixels: configuration.maxRenderedPixels)
        let found = try await retrieve.instances(selection)
        let single: Bool
        if case .instance = selection { single = true } else { single = false }
        if single, let instance = found.first, !RenderService.isImage(instance) {
            return try await document(instance, accept: request.acceptHeader)
        }
        var numbers: [Int] = []
        if let list { numbers = try await renderService.frameNumbers(list, of: found[0]) }
        let multipart = !single || numbers.count > 1
        if !single, !found.contains(where: RenderService.isImage) {
            return try await reportParts(request, found)  // a study or series of Structured Reports
        }
        var offers: [Representation] = Self.imageFormats.map {
            Representation(.multipartRelated(type: Self.mediaType($0)))
        }
        if !multipart { offers = Self.imageFormats.map { Representation(Self.mediaType($0)) } + offers }
        let negotiated: NegotiatedRepresentation
        do { negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: offers) } catch {
            throw DICOMwebError(
                .notAcceptable,
                "\(error.description); rendered images are image/jpeg, image/png or image/gif"
                    + (multipart ? ", in multipart/related for a study, a series or several frames" : ""))
        }
        let chosen =
            negotiated.mediaType.hasSameEssence(as: .multipartRelated)
            ? negotiated.mediaType[parameter: "type"].flatMap { DICOMweb.MediaType($0) } ?? .jpeg
            : negotiated.mediaType
        guard let format = RenderedFormat(rawValue: chosen.essence) else {
            throw DICOMwebError(.notAcceptable, "no rendered media type matches \(chosen)")
        }
        if query.embedProfile && format == .gif {
            throw DICOMwebError(.badRequest, "image/gif cannot carry an ICC profile (iccprofile=yes)")
        }
        let headers = Self.headers(query, format)
        // Every part is rendered before the response starts only for a single image; a multipart response
        // renders its parts as it goes (a failure after the first cuts the connection).
        let images = found.filter(RenderService.isImage)
        guard !images.isEmpty else {
            throw DICOMwebError(.notAcceptable, "nothing here is an image to render")
        }
        if !multipart || !numbers.isEmpty {
            // One instance: its frame(s); an image that cannot be rendered is a response of its own (406/500).
            let source = try await retrieve.renderSource(images[0])
            if !multipart {
                return try await image(source, frame: numbers.first, format: format, query, headers: headers)
            }
            return try await parts(
                request, numbers.map { (source, $0) }, perInstance: false, format: format, query, headers: headers)
        }
        // A study or series: one part per image instance, resolved as the parts are sent; an instance that
        // cannot be rendered (no decoder, a segmented palette, pixel data no codec decodes) is left out. The
        // first is rendered before the response starts, so that a study with nothing renderable is a 406.
        var remaining = images[...]
        var first: (source: RenderSource, body: [UInt8])?
        while first == nil, let next = remaining.popFirst() {
            guard let source = try await renderService.renderable(next) else { continue }
            // A parameter the request got wrong (a viewport over max-rendered-pixels) is the request's error.
            do { first = (source, try await encode(source, 1, format, query)) } catch let error as CodecError
                where error.code != .invalidParameter
            { continue }
        }
        guard let first else {
            throw DICOMwebError(.notAcceptable, "none of the \(images.count) images can be rendered")
        }
        return try await parts(
            request, [(first.source, 1)], perInstance: true, format: format, query, headers: headers,
            more: Array(remaining), firstBody: first.body)
    }

    /// A multipart response of rendered `items` (source, frame), then one part (frame 1) for each renderable
    /// instance of `more`; the first part is rendered before the response starts.
    private func parts(
        _ request: Request, _ items: [(RenderSource, Int)], perInstance: Bool, format: RenderedFormat,
        _ query: RenderQuery, headers: HTTPFields, more: [StoredInstance] = [], firstBody rendered: [UInt8]? = nil
    ) async throws -> Response {
        let retrieve = self.retrieve
        let renderService = self.renderService
        let firstBody: [UInt8]
        if let rendered {
            firstBody = rendered
        } else {
            firstBody = try await encode(items[0].0, items[0].1, format, query)
        }
        let boundary = MultipartBoundary.random()
        var headers = headers
        headers[.contentType] =
            MultipartWriter(boundary: boundary).contentType(type: Self.mediaType(format))
            .description
        let base = request.serviceBase(configuration)
        let embedProfile = query.embedProfile
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var multipart = MultipartWriter(boundary: boundary)
                func send(_ source: RenderSource, _ number: Int, _ rendered: [UInt8]?) async throws {
                    var body: [UInt8]
                    if let rendered {
                        body = rendered
                    } else {
                        body = try await retrieve.encodeRendered(
                            [try await self.render(source, number, query)], format: format, quality: query.quality)
                    }
                    if embedProfile, let embedded = Self.withProfile(body, source, format) { body = embedded }
                    let location =
                        WadoController.instanceURL(base, source.instance)
                        + (perInstance ? "/rendered" : "/frames/\(number)/rendered")
                    try await writer.write(
                        ByteBuffer(
                            bytes: multipart.beginPart(contentType: Self.mediaType(format), contentLocation: location)))
                    try await writer.write(ByteBuffer(bytes: body))
                }
                for (i, (source, number)) in items.enumerated() {
                    try await send(source, number, i == 0 ? firstBody : nil)
                }
                for instance in more {
                    guard let source = try await renderService.renderable(instance) else { continue }
                    // Rendered before its part starts: pixel data no codec decodes leaves the image out.
                    do { try await send(source, 1, nil) } catch is CodecError { continue }
                }
                try await writer.write(ByteBuffer(bytes: multipart.finish()))
                try await writer.finish(nil)
            })
    }

    /// The headers of a rendered response: caching, and the warnings about parameters ignored.
    static func headers(_ query: RenderQuery, _ format: RenderedFormat) -> HTTPFields {
        var headers: HTTPFields = [.cacheControl: "private, max-age=0, must-revalidate"]
        if query.quality != nil && !format.isLossy {
            headers.append(
                contentsOf: HTTPFields.warnings([
                    "quality applies to lossy media types only; ignored for \(format.rawValue)"
                ]))
        }
        if !query.unsupportedAnnotations.isEmpty {
            headers.append(
                contentsOf: HTTPFields.warnings([
                    "The following annotation values are not supported: \(query.unsupportedAnnotations.joined(separator: ","))"
                ]))
        }
        return headers
    }
}
