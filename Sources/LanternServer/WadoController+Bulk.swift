import Archive
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

extension WadoController {
    // MARK: Frames, pixel data, bulk data

    /// `/frames/{list}` (§10.4.1.1.6) and `/pixeldata` (CP 2040, all frames).
    func frames(_ request: Request, _ selection: InstanceSelection, list: String?) async throws -> Response {
        let instance = try await retrieve.instances(selection)[0]
        return try await sendBulk(request, instance, try await planner.frames(instance, list: list))
    }

    /// A BulkDataURI of the metadata: `bulkdata/{offset}-{length}`; the top-level Pixel Data resolves to its
    /// frames.
    func bulkData(_ request: Request, _ selection: InstanceSelection, reference: String) async throws -> Response {
        let instance = try await retrieve.instances(selection)[0]
        return try await sendBulk(request, instance, try await planner.bulkData(instance, reference: reference))
    }

    /// Sends the byte ranges of `selection` as planned (``RetrievePlanner/planBulk(_:_:accept:)``): a
    /// multipart/related body (one part per entry of its parts), or a single body when the client accepts the
    /// bare media type; HTTP Range applies to a single bare body of stored bytes.
    private func sendBulk(
        _ request: Request, _ instance: StoredInstance, _ selection: BulkSelection
    ) async throws -> Response {
        let planner = self.planner
        let planned = try await planner.planBulk(instance, selection, accept: request.acceptHeader)
        let instances = [instance]
        let etag = Validators.etag(instances, variant: planned.variant)
        var headers: HTTPFields = [
            .eTag: etag, .lastModified: Validators.lastModified(instances),
            .cacheControl: "private, max-age=0, must-revalidate",
        ]
        if Validators.notModified(request, etag: etag) { return Response(status: .notModified, headers: headers) }
        // Missing or damaged bytes are a 500 before the head, not a 200 with a short body.
        let plan = try await planner.prepare(planned)
        let retrieve = self.retrieve
        let parts = selection.parts
        if !plan.multipart {
            if let frame = try await planner.frame(plan, at: 0) {
                // Converted before the response starts, so that a damaged frame is a clean 500 with the reason.
                headers[.contentType] = plan.partMediaType.description
                headers[.contentLength] = String(frame.count)
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: frame)))
            }
            guard let (status, send) = Self.applyRange(request, to: parts[0], headers: &headers) else {
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            headers[.contentType] = plan.partMediaType.description
            headers[.contentLength] = String(send.reduce(0) { $0 + $1.length })
            return Response(
                status: status, headers: headers,
                body: ResponseBody { writer in
                    let reader = retrieve.valueReader(instance, swapping: plan.swap)
                    defer { reader.close() }
                    for range in send {
                        try await reader.stream(range) { try await writer.write($0) }
                    }
                    try await writer.finish(nil)
                })
        }
        // The first converted frame is ready before the response starts: a damaged one is a clean 500; a later
        // one cuts the connection (the status is sent by then).
        let firstFrame = parts.isEmpty ? nil : try await planner.frame(plan, at: 0)
        let boundary = MultipartBoundary.random()
        headers[.contentType] =
            MultipartWriter(boundary: boundary).contentType(
                type: plan.partType.removing(parameter: "transfer-syntax"),
                parameters: [.init(name: "transfer-syntax", value: plan.transferSyntax)]
            ).description
        let base = request.serviceBase(configuration)
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let reader = retrieve.valueReader(instance, swapping: plan.swap)
                defer { reader.close() }
                var multipart = MultipartWriter(boundary: boundary)
                for (i, ranges) in parts.enumerated() {
                    let location = selection.locations.map { Self.instanceURL(base, instance) + "/" + $0[i] }
                    try await writer.write(
                        ByteBuffer(
                            bytes: multipart.beginPart(contentType: plan.partMediaType, contentLocation: location)))
                    if plan.convertsFrames {
                        let frame =
                            if i == 0, let firstFrame { firstFrame } else { try await planner.frame(plan, at: i) }
                        try await writer.write(ByteBuffer(bytes: frame ?? []))
                        continue
                    }
                    for range in ranges {
                        try await reader.stream(range) { try await writer.write($0) }
                    }
                }
                try await writer.write(ByteBuffer(bytes: multipart.finish()))
                try await writer.finish(nil)
            })
    }
}
