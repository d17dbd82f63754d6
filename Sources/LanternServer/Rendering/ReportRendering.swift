import Archive
import DICOMCore
import DICOMImaging
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// Structured Reports rendered as text, for WADO-RS rendered resources (PS3.18 §8.7.4, Table 8.7.4-1: SR as
/// `text/html` or `text/plain`) and WADO-URI (§9.5) alike: one implementation of what a report renders as.
enum ReportRendering {
    /// The rendered types of a report, the default first (``RenderService/reportTypes``).
    static var types: [DICOMweb.MediaType] { RenderService.reportTypes }

    /// The report as `type` (`text/html` or `text/plain`), UTF-8.
    static func text(_ report: DataSet, as type: DICOMweb.MediaType) -> [UInt8] {
        RenderService.reportText(report, as: type)
    }

    /// The media type of a rendered report part or body: `type` with `charset=utf-8`.
    static func contentType(_ type: DICOMweb.MediaType) -> DICOMweb.MediaType {
        type.setting(parameter: "charset", to: "utf-8")
    }

    /// A single-part response of the report in `type`.
    static func response(_ report: DataSet, as type: DICOMweb.MediaType) -> Response {
        let body = text(report, as: type)
        return Response(
            status: .ok,
            headers: [.contentType: contentType(type).description, .contentLength: String(body.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension RenderedController {
    /// A Structured Report instance rendered on WADO-RS in the Accept header's choice of its text types; nil
    /// when the instance is not a report.
    func report(_ instance: StoredInstance, accept: AcceptHeader) async throws -> Response? {
        guard let report = try await renderService.report(instance) else { return nil }
        let negotiated: NegotiatedRepresentation
        do {
            negotiated = try ContentNegotiation.negotiate(
                accept, offers: ReportRendering.types.map { Representation($0) })
        } catch {
            throw DICOMwebError(
                .notAcceptable, "\(error.description); a Structured Report renders as text/html or text/plain")
        }
        return ReportRendering.response(report, as: ReportRendering.types[negotiated.offerIndex])
    }

    /// The rendered study or series that holds no image: one part per Structured Report, in storage order, as
    /// `multipart/related; type="text/html"` (the default) or `type="text/plain"`; 406 when nothing in it can
    /// be rendered. Each report is read as its part is sent, the first before the response starts.
    func reportParts(_ request: Request, _ found: [StoredInstance]) async throws -> Response {
        let offers = ReportRendering.types.map { Representation(.multipartRelated(type: $0)) }
        let negotiated: NegotiatedRepresentation
        do { negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: offers) } catch {
            throw DICOMwebError(
                .notAcceptable,
                "\(error.description); a study or series of Structured Reports renders as multipart/related with type text/html or text/plain"
            )
        }
        let type = ReportRendering.types[negotiated.offerIndex]
        var remaining = found[...]
        var first: (StoredInstance, DataSet)?
        while first == nil, let next = remaining.popFirst() {
            if let report = try await renderService.report(next) { first = (next, report) }
        }
        guard let first else {
            throw DICOMwebError(.notAcceptable, "nothing here is an image or a report to render")
        }
        let boundary = MultipartBoundary.random()
        let base = request.serviceBase(configuration)
        let renderService = self.renderService
        let more = Array(remaining)
        return Response(
            status: .ok,
            headers: [
                .contentType: MultipartWriter(boundary: boundary).contentType(type: type).description,
                .cacheControl: "private, max-age=0, must-revalidate",
            ],
            body: ResponseBody { writer in
                var multipart = MultipartWriter(boundary: boundary)
                func send(_ instance: StoredInstance, _ report: DataSet) async throws {
                    let location = WadoController.instanceURL(base, instance) + "/rendered"
                    try await writer.write(
                        ByteBuffer(
                            bytes: multipart.beginPart(
                                contentType: ReportRendering.contentType(type), contentLocation: location)))
                    try await writer.write(ByteBuffer(bytes: ReportRendering.text(report, as: type)))
                }
                try await send(first.0, first.1)
                for instance in more {
                    guard let report = try await renderService.report(instance) else { continue }
                    try await send(instance, report)
                }
                try await writer.write(ByteBuffer(bytes: multipart.finish()))
                try await writer.finish(nil)
            })
    }
}
