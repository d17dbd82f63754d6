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
struct RenderedController {
    let retrieve: RetrieveService
    let configuration: ServerConfiguration

    /// The rendered image types (Table 8.7.4-1), JPEG first: it is the default.
    static let imageFormats: [RenderedFormat] = [.jpeg, .png, .gif]
    /// The largest thumbnail when no viewport is given.
    static let thumbnailSize = 128

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
        if single, let instance = found.first, !instance.hasPixelData || Self.isVideo(instance) {
            return try await document(instance, accept: request.acceptHeader)
        }
        var numbers: [Int] = []
        if let list { numbers = try await Self.frameNumbers(list, of: found[0], retrieve) }
        let multipart = !single || numbers.count > 1
        if !single, !found.contains(where: { $0.hasPixelData && !Self.isVideo($0) }) {
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
        let images = found.filter { $0.hasPixelData && !Self.isVideo($0) }
        guard !images.isEmpty else {
            throw DICOMwebError(.notAcceptable, "nothing here is an image to render")
        }
        let retrieve = self.retrieve
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
            guard let source = try await Self.renderable(next, retrieve) else { continue }
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

    /// The rendering source of `instance`, nil when it cannot be rendered. An instance whose stored bytes are
    /// missing or damaged is not left out: it throws (a 500 before the head, a cut connection after it).
    static func renderable(_ instance: StoredInstance, _ retrieve: RetrieveService) async throws -> RenderSource? {
        do {
            return try await retrieve.renderSource(instance)
        } catch let error as ArchiveError where error.code == .damaged {
            throw error
        } catch {
            return nil
        }
    }

    /// A multipart response of rendered `items` (source, frame), then one part (frame 1) for each renderable
    /// instance of `more`; the first part is rendered before the response starts.
    private func parts(
        _ request: Request, _ items: [(RenderSource, Int)], perInstance: Bool, format: RenderedFormat,
        _ query: RenderQuery, headers: HTTPFields, more: [StoredInstance] = [], firstBody rendered: [UInt8]? = nil
    ) async throws -> Response {
        let retrieve = self.retrieve
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
                    guard let source = try await Self.renderable(instance, retrieve) else { continue }
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

    /// `file` with the instance's ICC Profile (0028,2000) embedded, nil when it has none (or the format cannot).
    static func withProfile(_ file: [UInt8], _ source: RenderSource, _ format: RenderedFormat) -> [UInt8]? {
        guard case .bytes(let profile)? = source.attributes[Tag(0x0028_2000)]?.value, !profile.isEmpty else {
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
            return try await animation(source, query, delay: Self.frameDelay(source.attributes), headers: headers)
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
        headers[.contentType] = format.rawValue
        headers[.contentLength] = String(body.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Frame `number` of `source` rendered and written in `format`.
    private func encode(
        _ source: RenderSource, _ number: Int, _ format: RenderedFormat, _ query: RenderQuery
    ) async throws -> [UInt8] {
        try await retrieve.encodeRendered(
            [try await render(source, number, query)], format: format, quality: query.quality)
    }

    private func render(_ source: RenderSource, _ number: Int, _ query: RenderQuery) async throws -> RenderedImage {
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

    /// The GIF delay of one frame, in hundredths of a second: Frame Time (0018,1063, ms), else Cine Rate
    /// (0018,0040, frames per second), else 10.
    static func frameDelay(_ attributes: DataSet) -> Int {
        if let text = attributes.string(Tag(0x0018_1063)), let ms = Double(text), ms > 0 {
            // A GIF delay is 16 bits; a stored Frame Time of 1e300 must not overflow Int.
            return max(2, Int((min(ms, 655_350) / 10).rounded()))
        }
        if let rate = attributes.int(Tag(0x0018_0040)), rate > 0 { return max(2, 100 / rate) }
        return 10
    }

    // MARK: Documents and video

    static let encapsulatedPDF = "1.2.840.10008.5.1.4.1.1.104.1"
    static let encapsulatedCDA = "1.2.840.10008.5.1.4.1.1.104.2"

    static func isVideo(_ instance: StoredInstance) -> Bool {
        let media = FrameMediaTypes.mediaType(forTransferSyntax: instance.transferSyntaxUID)
        return media == .mpeg || media == .mp4
    }

    /// The media type a non-image instance renders as, nil when it has none.
    static func documentType(_ instance: StoredInstance) -> DICOMweb.MediaType? {
        if isVideo(instance) { return FrameMediaTypes.mediaType(forTransferSyntax: instance.transferSyntaxUID) }
        if instance.sopClassUID == encapsulatedPDF { return .pdf }
        if instance.sopClassUID == encapsulatedCDA { return DICOMweb.MediaType(type: "text", subtype: "xml") }
        return nil
    }

    /// A non-image instance in its own media type: the encapsulated document, or the video stream.
    func document(_ instance: StoredInstance, accept: AcceptHeader) async throws -> Response {
        let type: DICOMweb.MediaType
        var ranges: [ByteRange]
        if Self.isVideo(instance), let layout = instance.pixelLayout {
            type = FrameMediaTypes.mediaType(forTransferSyntax: instance.transferSyntaxUID)
            ranges = []
            for number in 1...max(1, layout.frameCount) {
                for range in layout.ranges(ofFrame: number) ?? [] where !ranges.contains(range) { ranges.append(range) }
            }
        } else if instance.sopClassUID == Self.encapsulatedPDF || instance.sopClassUID == Self.encapsulatedCDA {
            type =
                instance.sopClassUID == Self.encapsulatedPDF ? .pdf : DICOMweb.MediaType(type: "text", subtype: "xml")
            guard let range = try await retrieve.elementRange(instance, Tag(0x0042_0011)) else {
                throw DICOMwebError(.notAcceptable, "the instance holds no Encapsulated Document to render")
            }
            ranges = [range]
        } else if let report = try await report(instance, accept: accept) {
            return report
        } else {
            throw DICOMwebError(
                .notAcceptable,
                "instance \(instance.sopInstanceUID) (SOP Class \(instance.sopClassUID)) has no rendered form")
        }
        do { _ = try ContentNegotiation.negotiate(accept, offers: [Representation(type)]) } catch {
            throw DICOMwebError(.notAcceptable, "\(error.description); this instance renders as \(type)")
        }
        // Missing or damaged bytes are a 500 before the head, not a 200 with a short body.
        try await retrieve.checkIntact(instance)
        var length = ranges.reduce(0) { $0 + $1.length }
        if type == .pdf, let last = ranges.last, length > 0 {
            // The value is padded to even length with a NUL; the document ends before it.
            var tail: UInt8 = 0
            try await retrieve.stream(instance, range: ByteRange(offset: last.offset + last.length - 1, length: 1)) {
                tail = $0.readableBytesView.first ?? 0
            }
            if tail == 0 {
                ranges[ranges.count - 1].length -= 1
                length -= 1
            }
        }
        let send = ranges
        let retrieve = self.retrieve
        return Response(
            status: .ok,
            headers: [.contentType: type.description, .contentLength: String(length)],
            body: ResponseBody { writer in
                for range in send { try await retrieve.stream(instance, range: range) { try await writer.write($0) } }
                try await writer.finish(nil)
            })
    }

    // MARK: Thumbnails

    /// `…/thumbnail` (Supplement 203): one small image without annotations.
    func thumbnail(
        _ request: Request, _ selection: InstanceSelection, frames list: String? = nil
    ) async throws
        -> Response
    {
        let query = try RenderQuery(request, thumbnail: true, maximumPixels: configuration.maxRenderedPixels)
        let found = try await retrieve.instances(selection)
        let images = found.filter { $0.hasPixelData && !Self.isVideo($0) }
        let chosen: StoredInstance
        switch selection {
        case .instance: chosen = found[0]
        case .series:
            guard !images.isEmpty else { throw DICOMwebError(.notAcceptable, "the series holds no image") }
            chosen = images[images.count / 2]
        case .study:
            guard let series = images.first?.seriesUID else {
                throw DICOMwebError(.notAcceptable, "the study holds no image")
            }
            let inSeries = images.filter { $0.seriesUID == series }
            chosen = inSeries[inSeries.count / 2]
        }
        guard chosen.hasPixelData, !Self.isVideo(chosen) else {
            throw DICOMwebError(.notAcceptable, "instance \(chosen.sopInstanceUID) is not an image")
        }
        let offers = Self.imageFormats.map { Representation(Self.mediaType($0)) }
        let negotiated: NegotiatedRepresentation
        do { negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: offers) } catch {
            throw DICOMwebError(
                .notAcceptable, "\(error.description); thumbnails are image/jpeg, image/png or image/gif")
        }
        let format = Self.imageFormats[negotiated.offerIndex]
        let source = try await retrieve.renderSource(chosen)
        var number = (source.frames + 1) / 2
        if let list { number = try WadoController.frameNumbers(list, count: source.frames)[0] }
        let size = max(source.renderer.geometry.rows, source.renderer.geometry.columns)
        let viewport =
            query.viewport
            ?? (size > Self.thumbnailSize ? Viewport(width: Self.thumbnailSize, height: Self.thumbnailSize) : nil)
        let image = try await retrieve.renderedFrame(source, number: number, window: nil, viewport: viewport)
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
