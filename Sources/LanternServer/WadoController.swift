import Archive
import DICOMCore
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// WADO-RS (PS3.18 §10.4): instances, metadata, frames, bulk data and pixel data of studies, series and
/// instances, streamed from what ingest stored and precomputed.
///
/// Transfer syntaxes (§8.7.3.5): `*` or no parameter sends each instance as stored; a native syntax (Implicit
/// or Explicit VR Little Endian, Explicit VR Big Endian) converts natively stored instances on the fly;
/// anything that needs a codec gives 406 with the reason. What is sent, in which syntax and why not is
/// decided by ``RetrievePlanner``; this controller reads the request, answers conditional requests and
/// streams the plan.
struct WadoController {
    let retrieve: RetrieveService
    let configuration: ServerConfiguration

    /// The planner of this server's retrieves, with its default transfer syntax.
    var planner: RetrievePlanner {
        RetrievePlanner(retrieve: retrieve, defaultTransferSyntax: configuration.defaultTransferSyntax)
    }

    // MARK: Instances

    func instances(_ request: Request, _ selection: InstanceSelection) async throws -> Response {
        try await instances(request, found: try await retrieve.instances(selection))
    }

    /// The response carrying `found` (not empty) as negotiated: multipart, a single `application/dicom`
    /// instance, or a zip; shared with the non-patient retrieve (PS3.18 §12.4).
    func instances(_ request: Request, found: [StoredInstance]) async throws -> Response {
        let planner = self.planner
        let plan = try await planner.planInstances(found, accept: request.acceptHeader)
        let etag = Validators.etag(found, variant: plan.mediaType.description)
        var headers: HTTPFields = [
            .eTag: etag, .lastModified: Validators.lastModified(found),
            .cacheControl: "private, max-age=0, must-revalidate",
        ]
        if Validators.notModified(request, etag: etag) { return Response(status: .notModified, headers: headers) }
        // Refusals and a missing or damaged first instance are answered before the head; a later one cuts the
        // connection (AbortOnBodyFailureMiddleware), so no response that lacks an instance ends like a complete one.
        try await planner.prepare(plan)
        let retrieve = self.retrieve
        switch plan.packaging {
        case .zip:
            // Supplement 211: the instances as stored, one entry each, streamed.
            headers[.contentType] = MediaType.zip.description
            let archiveName = found[0].studyUID.isEmpty ? found[0].sopInstanceUID : found[0].studyUID
            headers[.contentDisposition] = "attachment; filename=\"\(archiveName).zip\""
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    var zip = ZipStreamWriter()
                    for instance in found {
                        let name =
                            instance.studyUID.isEmpty
                            ? "\(instance.sopInstanceUID).dcm"
                            : "\(instance.studyUID)/\(instance.seriesUID)/\(instance.sopInstanceUID).dcm"
                        try await writer.write(ByteBuffer(bytes: zip.beginEntry(name: name)))
                        try await retrieve.stream(instance, range: nil) { buffer in
                            buffer.withUnsafeReadableBytes { zip.update($0) }
                            try await writer.write(buffer)
                        }
                        try await writer.write(ByteBuffer(bytes: zip.endEntry()))
                    }
                    try await writer.write(ByteBuffer(bytes: zip.finish()))
                    try await writer.finish(nil)
                })
        case .single:
            let instance = found[0]
            let syntax = plan.transferSyntax(of: instance)
            headers[.contentType] = MediaType.dicom.setting(parameter: "transfer-syntax", to: syntax).description
            if syntax == instance.transferSyntaxUID {
                // As stored: byte ranges of the instance (converted ones have no known length).
                return Self.storedInstance(request, instance, headers: headers, retrieve)
            }
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await retrieve.stream(instance, as: syntax) { try await writer.write($0) }
                    try await writer.finish(nil)
                })
        case .multipart:
            let boundary = MultipartBoundary.random()
            headers[.contentType] = MultipartWriter(boundary: boundary).contentType(type: .dicom).description
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    var multipart = MultipartWriter(boundary: boundary)
                    for instance in found {
                        let syntax = plan.transferSyntax(of: instance)
                        let type = MediaType.dicom.setting(parameter: "transfer-syntax", to: syntax)
                        try await writer.write(ByteBuffer(bytes: multipart.beginPart(contentType: type)))
                        try await retrieve.stream(instance, as: syntax) { try await writer.write($0) }
                    }
                    try await writer.write(ByteBuffer(bytes: multipart.finish()))
                    try await writer.finish(nil)
                })
        }
    }
}
