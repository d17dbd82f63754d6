import Archive
import DICOMJSON
import DICOMXML
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// STOW-RS (PS3.18 §10.5): `POST {root}/studies` and `POST {root}/studies/{study}`; and the Store transaction
/// of the non-patient categories (PS3.18 §12.5), `POST {root}/{npi-name}{/uid}`, which takes the same bodies.
///
/// Accepts `multipart/related; type="application/dicom"` (one Part 10 instance per part), metadata and bulk
/// data (`type="application/dicom+json"` or `"application/dicom+xml"`, bulk parts referenced by
/// Content-Location), and, as a convenience, a bare `application/dicom` body holding one instance. Each part streams to its own blob while
/// it is parsed; a part that cannot be stored fails alone and is reported in the response.
struct StowController {
    let store: StoreService
    /// Refuses a store below the free-space reserve, before any byte is written.
    let health: HealthService
    /// Where metadata and bulk data requests keep their bulk parts.
    let scratch: any ScratchSpace
    let configuration: ServerConfiguration

    /// Instances committed together at most (one flush, one index transaction).
    static let groupCommitSize = 64

    static let responseOffers = [
        Representation(.dicomJSON), Representation(.dicomXML), Representation(.json),
    ]

    func handle(_ request: Request, target: IngestTarget) async throws -> Response {
        let negotiated: NegotiatedRepresentation
        do {
            negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: Self.responseOffers)
        } catch { throw DICOMwebError(error) }
        guard let contentTypeText = request.headers[.contentType], let contentType = MediaType(contentTypeText)
        else {
            throw DICOMwebError(
                .unsupportedMediaType, "Content-Type is required: multipart/related or application/dicom")
        }
        if let length = request.headers[.contentLength].flatMap(UInt64.init), length > configuration.maxRequestBytes {
            throw DICOMwebError(.contentTooLarge, "the request body exceeds \(configuration.maxRequestBytes) bytes")
        }
        // Below the reserve nothing is written (507); the client may retry once space is freed.
        try await health.checkRoomToStore()
        var response = StowResponse()
        if contentType.hasSameEssence(as: .dicom) {
            response = try await storeSinglePart(request, target: target)
        } else if contentType.hasSameEssence(as: .multipartRelated) {
            let related = contentType[parameter: "type"].flatMap { MediaType($0) } ?? .dicom
            guard let boundary = contentType[parameter: "boundary"] else {
                throw DICOMwebError(.badRequest, "multipart/related without a boundary parameter")
            }
            if related.hasSameEssence(as: .dicom) {
                response = try await storeMultipart(request, boundary: boundary, target: target)
            } else if related.hasSameEssence(as: .dicomJSON) || related.hasSameEssence(as: .dicomXML) {
                response = try await storeMetadataAndBulkData(
                    request, boundary: boundary, related: related, target: target)
            } else {
                throw DICOMwebError(
                    .unsupportedMediaType,
                    "multipart/related type \(related.essence) is not supported; use application/dicom, "
                        + "application/dicom+json or application/dicom+xml")
            }
        } else {
            throw DICOMwebError(
                .unsupportedMediaType,
                "Content-Type \(contentType.essence) is not supported; use multipart/related; type=\"application/dicom\""
            )
        }
        if response.outcomes.isEmpty {
            throw DICOMwebError(.badRequest, response.requestFailure ?? "the request holds no instance")
        }
        let stored = response.storedCount
        ServerMetrics.instancesStored.increment(by: stored)
        ServerMetrics.instancesFailed.increment(by: response.outcomes.count - stored)
        var requestStudy: String?
        if case .studies(let study) = target { requestStudy = study }
        let dataSet = response.dataSet(base: request.serviceBase(configuration), requestStudy: requestStudy)
        let xml = negotiated.mediaType.hasSameEssence(as: .dicomXML)
        let body = xml ? NativeXMLEncoder.encode(dataSet, prettyPrinted: false) : DICOMJSONEncoder.encode(dataSet)
        var headers = HTTPFields.warnings(response.longComments)
        headers[.contentType] = xml ? "application/dicom+xml" : "application/dicom+json"
        return Response(status: response.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func checkSize(_ total: inout UInt64, _ buffer: ByteBuffer) throws {
        total += UInt64(buffer.readableBytes)
        if total > configuration.maxRequestBytes {
            throw DICOMwebError(.contentTooLarge, "the request body exceeds \(configuration.maxRequestBytes) bytes")
        }
    }

    private func storeSinglePart(_ request: Request, target: IngestTarget) async throws -> StowResponse {
        var ingest = store.begin(target)
        var total: UInt64 = 0
        do {
            for try await buffer in request.body {
                try checkSize(&total, buffer)
                try await ingest.append(Array(buffer.readableBytesView)[...])
            }
        } catch {
            await ingest.abort()
            throw error
        }
        var response = StowResponse()
        switch await ingest.finish() {
        case .failed(let outcome): response.outcomes.append(outcome)
        case .prepared(let prepared): response.outcomes += await store.commit([prepared])
        }
        return response
    }

    /// Metadata (DICOM JSON or XML) plus bulk data parts (PS3.18 §10.5.1.2.2–§10.5.1.2.3).
    private func storeMetadataAndBulkData(
        _ request: Request, boundary: String, related: DICOMweb.MediaType, target: IngestTarget
    ) async throws -> StowResponse {
        var splitter: MultipartSplitter
        do { splitter = try MultipartSplitter(boundary: boundary) } catch {
            throw DICOMwebError(.badRequest, "invalid multipart boundary: \(error)")
        }
        var session = BulkStoreSession(store: store, scratch: scratch)
        var response = StowResponse()
        var total: UInt64 = 0
        var partCount = 0
        let maxParts = configuration.maxParts
        func handle(_ event: MultipartEvent) async throws {
            switch event {
            case .partStart(let headers):
                // Instances are built only once every part is read: nothing is stored yet, the request is refused.
                partCount += 1
                if partCount > maxParts {
                    throw DICOMwebError(
                        .contentTooLarge, "the request has more than \(maxParts) parts, the server's max-parts")
                }
                let type =
                    headers.first(where: { $0.name.lowercased() == "content-type" }).flatMap { MediaType($0.value) }
                    ?? related
                let location = headers.first(where: { $0.name.lowercased() == "content-location" })?.value
                try await session.beginPart(mediaType: type, contentLocation: location)
            case .body(let slice): try await session.append(slice)
            case .partEnd: await session.endPart()
            case .end: break
            }
        }
        do {
            for try await buffer in request.body {
                try checkSize(&total, buffer)
                splitter.append(Array(buffer.readableBytesView))
                while let event = try splitter.next() { try await handle(event) }
            }
            splitter.finish()
            while let event = try splitter.next() { try await handle(event) }
        } catch let error as MultipartError {
            session.discard()
            response.requestFailure = "malformed multipart body: \(error)"
            return response
        } catch {
            session.discard()
            throw error
        }
        var prepared: [(slot: Int, instance: PreparedInstance)] = []
        var slots: [StoreOutcome?] = []
        // Each data set of the metadata is an instance, bounded like the parts.
        for result in try await session.finish(target, maximumInstances: maxParts) {
            switch result {
            case .failed(let outcome): slots.append(outcome)
            case .prepared(let instance):
                slots.append(nil)
                prepared.append((slots.count - 1, instance))
            }
        }
        let outcomes = await store.commit(prepared.map(\.instance))
        for ((slot, _), outcome) in zip(prepared, outcomes) { slots[slot] = outcome }
        response.outcomes = slots.compactMap { $0 }
        return response
    }

    /// Thrown when a part past `max-parts` starts.
    private struct TooManyParts: Error {}

    private func storeMultipart(_ request: Request, boundary: String, target: IngestTarget) async throws -> StowResponse
    {
        var splitter: MultipartSplitter
        do { splitter = try MultipartSplitter(boundary: boundary) } catch {
            throw DICOMwebError(.badRequest, "invalid multipart boundary: \(error)")
        }
        var response = StowResponse()
        var ingest: InstanceIngest?
        var skippedPart = false
        var total: UInt64 = 0
        var partCount = 0
        let maxParts = configuration.maxParts
        // Outcomes in part order; prepared instances wait for the group commit.
        var slots: [StoreOutcome?] = []
        var pending: [(slot: Int, instance: PreparedInstance)] = []

        func commitPending() async {
            guard !pending.isEmpty else { return }
            let outcomes = await store.commit(pending.map(\.instance))
            for ((slot, _), outcome) in zip(pending, outcomes) { slots[slot] = outcome }
            pending.removeAll()
        }

        func handle(_ event: MultipartEvent) async throws {
            switch event {
            case .partStart(let headers):
                partCount += 1
                if partCount > maxParts { throw TooManyParts() }
                let type = headers.first(where: { $0.name.lowercased() == "content-type" }).flatMap {
                    MediaType($0.value)
                }
                if let type, !type.hasSameEssence(as: .dicom) {
                    skippedPart = true
                    slots.append(
                        StoreOutcome(
                            sopClassUID: nil, sopInstanceUID: nil, failure: .cannotUnderstand,
                            comment: "part of type \(type.essence) in an application/dicom request"))
                } else {
                    skippedPart = false
                    ingest = store.begin(target)
                }
            case .body(let slice):
                if !skippedPart { try await ingest?.append(slice) }
            case .partEnd:
                if var current = ingest {
                    ingest = nil
                    switch await current.finish() {
                    case .failed(let outcome): slots.append(outcome)
                    case .prepared(let prepared):
                        slots.append(nil)
                        pending.append((slots.count - 1, prepared))
                        // Bound the work a crash could leave unacknowledged, and the latency of visibility.
                        if pending.count >= Self.groupCommitSize { await commitPending() }
                    }
                }
            case .end:
                break
            }
        }

        var body = request.body.makeAsyncIterator()
        do {
            while let buffer = try await body.next() {
                try checkSize(&total, buffer)
                splitter.append(Array(buffer.readableBytesView))
                while let event = try splitter.next() { try await handle(event) }
            }
            splitter.finish()
            while let event = try splitter.next() { try await handle(event) }
        } catch let error as MultipartError {
            if var current = ingest { await current.abort() }
            response.requestFailure = "malformed multipart body: \(error)"
        } catch is TooManyParts {
            // The first max-parts parts are stored; the rest of the body is read and dropped unparsed (its cost
            // is its bytes, bounded by max-request-bytes) and refused with one failure item.
            await commitPending()
            response.requestFailure = "more than \(maxParts) parts (max-parts): the rest was refused"
            while let buffer = try await body.next() { try checkSize(&total, buffer) }
        } catch {
            if var current = ingest { await current.abort() }
            await commitPending()
            throw error
        }
        await commitPending()
        response.outcomes = slots.compactMap { $0 }
        return response
    }
}
