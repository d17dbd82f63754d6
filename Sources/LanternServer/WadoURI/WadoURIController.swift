import Archive
import DICOMBinary
import DICOMCore
import DICOMImaging
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// WADO-URI (PS3.18 §9): `GET /wado?requestType=WADO&studyUID=…&seriesUID=…&objectUID=…`, Retrieve DICOM
/// Instance (§9.4: `application/dicom`, `transferSyntax`, `anonymize`) and Retrieve Rendered Instance (§9.5:
/// JPEG, PNG, GIF; PDF, CDA, video and Structured Reports as text; `frameNumber`, `rows`, `columns`, `region`,
/// `windowCenter`/`windowWidth`, `imageQuality`, `annotation`, `presentationUID`/`presentationSeriesUID`).
struct WadoURIController {
    let retrieve: RetrieveService
    let rendered: RenderedController

    func handle(_ request: Request) async throws -> Response {
        let query = try WadoURIRequest(request)
        let found = try await retrieve.instances(.instance(study: query.study, series: query.series, sop: query.object))
        let instance = found[0]
        switch query.target {
        case .dicom: return try await dicom(query, instance)
        case .categoryDefault: return try await categoryDefault(request, query, instance)
        case .rendered(let types): return try await rendered(request, query, instance, types: types)
        }
    }

    /// §9.4: the instance in `transferSyntax` (Explicit VR Little Endian when absent), de-identified with
    /// `anonymize=yes`.
    private func dicom(_ query: WadoURIRequest, _ instance: StoredInstance) async throws -> Response {
        let syntax = query.transferSyntax ?? TransferSyntax.explicitVRLittleEndian.uid
        guard RetrieveService.canSend(instance.transferSyntaxUID, as: syntax) else {
            throw RetrieveRefusal.notConvertible(
                sopInstanceUID: instance.sopInstanceUID, stored: instance.transferSyntaxUID, target: syntax)
        }
        try await retrieve.checkConvertible(instance, to: syntax)
        try await retrieve.checkFirstFrame(instance, to: syntax)  // undecodable: 406, never a 200 cut short
        // Missing or damaged bytes are a 500 before the head, not a 200 with a short body.
        try await retrieve.checkIntact(instance)
        // Images are checked before the response starts; other instances are refused by the de-identifier.
        if query.anonymize, instance.pixelLayout != nil,
            try await retrieve.imageAttributes(instance).string(Tag.burnedInAnnotation) == "YES"
        {
            throw DICOMwebError(
                .notAcceptable, "the instance has burned-in annotation, which anonymize=yes cannot remove")
        }
        let retrieve = self.retrieve
        let anonymize = query.anonymize
        var headers: HTTPFields = [
            .contentType: DICOMweb.MediaType.dicom.description,
            .contentDisposition: "attachment; filename=\"\(anonymize ? "anonymized" : instance.sopInstanceUID).dcm\"",
        ]
        if syntax == instance.transferSyntaxUID && !anonymize { headers[.contentLength] = String(instance.size) }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                if syntax == instance.transferSyntaxUID && !anonymize {
                    try await retrieve.stream(instance, range: nil) { try await writer.write($0) }
                } else {
                    try await retrieve.streamConverted(instance, to: syntax, anonymize: anonymize) {
                        try await writer.write($0)
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// §9.3: no contentType and an Accept of anything: an image as JPEG; a document, video or report in its
    /// own type (PDF, CDA, MPEG, HTML); anything else as `application/dicom`.
    private func categoryDefault(
        _ request: Request, _ query: WadoURIRequest, _ instance: StoredInstance
    )
        async throws -> Response
    {
        if RenderService.isImage(instance) {
            return try await rendered(request, query, instance, types: ["image/jpeg"])
        }
        if let type = RenderService.documentType(instance) {
            return try await rendered(request, query, instance, types: [type.essence])
        }
        if try await report(instance) != nil {
            return try await rendered(request, query, instance, types: ["text/html"])
        }
        return try await dicom(query, instance)
    }

    /// The report's data set when the instance is a Structured Report (``RenderService/report(_:)``).
    private func report(_ instance: StoredInstance) async throws -> DataSet? {
        try await rendered.renderService.report(instance)
    }

    /// §9.5: the first of `types` the instance can be rendered in.
    private func rendered(
        _ request: Request, _ query: WadoURIRequest, _ instance: StoredInstance, types: [String]
    ) async throws -> Response {
        if !RenderService.isImage(instance) {
            if let type = RenderService.documentType(instance) {
                guard types.contains(type.essence) else {
                    throw DICOMwebError(.notAcceptable, "this instance renders as \(type.essence) only")
                }
                return try await rendered.document(instance, accept: AcceptHeader(type.essence))
            }
            if let report = try await report(instance) {
                guard
                    let type = types.lazy.compactMap({ DICOMweb.MediaType($0) }).first(where: { type in
                        ReportRendering.types.contains { $0.essence == type.essence }
                    })
                else {
                    throw DICOMwebError(.notAcceptable, "a Structured Report renders as text/html or text/plain")
                }
                return ReportRendering.response(report, as: type)
            }
            throw RenderService.noRenderedForm(instance)
        }
        guard let format = types.lazy.compactMap(RenderedFormat.init(rawValue:)).first else {
            throw DICOMwebError(
                .notAcceptable,
                "images render as image/jpeg, image/png, image/gif or image/jp2, not \(types.joined(separator: ", "))")
        }
        let renderService = rendered.renderService
        var presentation: PresentationState?
        if let (series, uid) = query.presentation {
            presentation = try await renderService.presentationState(
                study: query.study, series: series, uid: uid, for: instance)
        }
        let source = try await retrieve.renderSource(instance, presentationState: presentation)
        if let frame = query.frameNumber, frame > source.frames {
            throw DICOMwebError(.badRequest, "frameNumber \(frame) is beyond the instance's \(source.frames) frames")
        }
        var render = RenderQuery()
        render.window = query.window
        render.quality = query.quality
        render.annotations = query.annotations
        render.unsupportedAnnotations = query.unsupportedAnnotations
        let region = RenderService.region(query.region, presentation: presentation, of: source)
        render.viewport = RenderService.viewport(region: region, rows: query.rows, columns: query.columns)
        let maximumPixels = rendered.configuration.maxRenderedPixels
        render.viewport?.maximumPixels = maximumPixels
        let headers = RenderedController.headers(render, format)
        guard let presentation, presentation.rotation != 0 || presentation.horizontalFlip else {
            return try await rendered.image(source, frame: query.frameNumber, format: format, render, headers: headers)
        }
        // Rotated or flipped by the presentation state: rendered at the region's size, turned, then fitted.
        let image = try await renderService.spatiallyTransformed(
            source, number: query.frameNumber ?? 1, presentation: presentation, region: region, rows: query.rows,
            columns: query.columns, maximumPixels: maximumPixels, annotations: render.annotations)
        let body = try await retrieve.encodeRendered([image], format: format, quality: render.quality)
        return RenderedController.single(body, format: format, headers: headers)
    }
}
