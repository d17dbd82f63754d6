import Archive
import DICOMCore
import DICOMImaging
import DICOMweb
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// WADO-RS (PS3.18 §10.4): instances, metadata, frames, bulk data and pixel data of studies, series and
/// instances, streamed from what ingest stored and precomputed.
///
/// Transfer syntaxes (§8.7.3.5): `*` or no parameter sends each instance as stored; a native syntax (Implicit
/// or Explicit VR Little Endian, Explicit VR Big Endian) converts natively stored instances on the fly;
/// anything that needs a codec gives 406 with the reason.
struct WadoController {
    let retrieve: RetrieveService
    let configuration: ServerConfiguration

    // MARK: Instances

    /// Native transfer syntaxes an instance stored natively can be converted to.
    static let nativeSyntaxes = ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"]

    /// `multipart/related; type="application/dicom"` and `application/dicom` with the transfer syntaxes every
    /// instance of `found` can be sent in: `*` (as stored) first, then the stored syntax when they share one,
    /// then the native syntaxes all can be converted to. Negotiate with ``defaultingTransferSyntax(_:)``.
    static func instanceOffers(_ found: [StoredInstance]) -> [Representation] {
        let stored = Array(Set(found.map(\.transferSyntaxUID))).sorted()
        var syntaxes = stored.count == 1 ? stored : []
        // Encapsulated targets only for images: a codec has frames to encode.
        let images = found.allSatisfy { $0.pixelLayout != nil }
        let deflated = TransferSyntax.deflatedExplicitVRLittleEndian.uid
        for target in nativeSyntaxes + [deflated] + (images ? FrameCodecs.encodable : [])
        where !syntaxes.contains(target) && stored.allSatisfy({ RetrieveService.canSend($0, as: target) }) {
            syntaxes.append(target)
        }
        if syntaxes.isEmpty { syntaxes = stored }
        // `*` first: "as stored" wins for `transfer-syntax=*`, whatever the mix of stored syntaxes.
        syntaxes.insert("*", at: 0)
        let fallback = stored.count == 1 ? stored[0] : nil
        return [
            Representation(
                .multipartRelated(type: .dicom), transferSyntaxes: syntaxes, defaultTransferSyntax: fallback),
            Representation(.dicom, transferSyntaxes: syntaxes, defaultTransferSyntax: fallback),
        ]
    }

    func instances(_ request: Request, _ selection: InstanceSelection) async throws -> Response {
        try await instances(request, found: try await retrieve.instances(selection))
    }

    /// The response carrying `found` (not empty) as negotiated: multipart, a single `application/dicom`
    /// instance, or a zip; shared with the non-patient retrieve (PS3.18 §12.4).
    func instances(_ request: Request, found: [StoredInstance]) async throws -> Response {
        let stored = Array(Set(found.map(\.transferSyntaxUID))).sorted()
        let offers = Self.instanceOffers(found) + [Representation(.zip)]
        let negotiated: NegotiatedRepresentation
        do {
            negotiated = try ContentNegotiation.negotiate(
                Self.defaultingTransferSyntax(request.acceptHeader), offers: offers)
        } catch {
            throw DICOMwebError(
                .notAcceptable,
                "\(error.description); stored transfer syntaxes: \(stored.joined(separator: ", ")); conversions go through the native syntaxes and the codecs of the conformance statement"
            )
        }
        // `*` (or a mixed set negotiated on its first offer) sends each instance as stored.
        var requested = negotiated.transferSyntax
        // No transfer syntax named: the standard default (PS3.18 §8.7.3.5.2, Explicit VR Little Endian) for every
        // instance that can be converted to it, the others as stored; `default-transfer-syntax = as-stored` keeps
        // them all as stored.
        var keptAsStored: Set<String> = []
        let defaulted = negotiated.offerIndex < 2 && Self.namesNoTransferSyntax(request.acceptHeader)
        if defaulted, configuration.defaultTransferSyntax != "*" {
            let standard = configuration.defaultTransferSyntax
            requested = standard
            for instance in found where instance.transferSyntaxUID != standard {
                let convertible: Bool
                if !RetrieveService.canSend(instance.transferSyntaxUID, as: standard) {
                    convertible = false
                } else {
                    do {
                        try await retrieve.checkConvertible(instance, to: standard)
                        convertible = true
                    } catch { convertible = false }
                }
                if !convertible { keptAsStored.insert(instance.sopInstanceUID) }
            }
        }
        let requestedSyntax = requested
        let keep = keptAsStored
        @Sendable func target(_ instance: StoredInstance) -> String {
            guard let requestedSyntax, requestedSyntax != "*", !keep.contains(instance.sopInstanceUID),
                RetrieveService.canSend(instance.transferSyntaxUID, as: requestedSyntax)
            else {
                return instance.transferSyntaxUID
            }
            return requestedSyntax
        }
        if !defaulted, let requested, requested != "*",
            let refused = found.first(where: { !RetrieveService.canSend($0.transferSyntaxUID, as: requested) })
        {
            throw DICOMwebError(
                .notAcceptable,
                "instance \(refused.sopInstanceUID) is stored in \(refused.transferSyntaxUID) and cannot be converted to \(requested)"
            )
        }
        let etag = Validators.etag(found, variant: negotiated.mediaType.description)
        var headers: HTTPFields = [
            .eTag: etag, .lastModified: Validators.lastModified(found),
            .cacheControl: "private, max-age=0, must-revalidate",
        ]
        if Validators.notModified(request, etag: etag) { return Response(status: .notModified, headers: headers) }
        // Frames a codec cannot decode or encode are refused before the response starts (406 with the reason).
        if !defaulted, let requested, requested != "*" {
            for instance in found { try await retrieve.checkConvertible(instance, to: requested) }
        }
        // A missing or damaged first instance is a 500 before the head; a later one cuts the connection
        // (AbortOnBodyFailureMiddleware), so no response that lacks an instance ends like a complete one.
        try await retrieve.checkIntact(found[0])
        let retrieve = self.retrieve
        if negotiated.offerIndex == 2 {
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
        }
        if negotiated.offerIndex == 1 {
            guard found.count == 1 else {
                throw DICOMwebError(
                    .notAcceptable,
                    "application/dicom holds one instance; ask for multipart/related; type=\"application/dicom\"")
            }
            let instance = found[0]
            let syntax = target(instance)
            headers[.contentType] = MediaType.dicom.setting(parameter: "transfer-syntax", to: syntax).description
            if syntax == instance.transferSyntaxUID {
                // As stored: byte ranges of the instance (converted ones have no known length).
                return Self.storedInstance(request, instance, headers: headers, retrieve)
            }
            try await retrieve.checkFirstFrame(instance, to: syntax)  // undecodable: 406, never a 200 cut short
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await Self.send(instance, as: syntax, retrieve) { try await writer.write($0) }
                    try await writer.finish(nil)
                })
        }
        if found.count == 1 { try await retrieve.checkFirstFrame(found[0], to: target(found[0])) }
        let boundary = MultipartBoundary.random()
        let multipartType = MultipartWriter(boundary: boundary)
        headers[.contentType] = multipartType.contentType(type: .dicom).description
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var multipart = MultipartWriter(boundary: boundary)
                for instance in found {
                    let syntax = target(instance)
                    let type = MediaType.dicom.setting(parameter: "transfer-syntax", to: syntax)
                    try await writer.write(ByteBuffer(bytes: multipart.beginPart(contentType: type)))
                    try await Self.send(instance, as: syntax, retrieve) { try await writer.write($0) }
                }
                try await writer.write(ByteBuffer(bytes: multipart.finish()))
                try await writer.finish(nil)
            })
    }

    static func send(
        _ instance: StoredInstance, as syntax: String, _ retrieve: RetrieveService,
        _ chunk: (ByteBuffer) async throws -> Void
    ) async throws {
        if syntax == instance.transferSyntaxUID {
            try await retrieve.stream(instance, range: nil, chunk: chunk)
        } else {
            try await retrieve.streamConverted(instance, to: syntax, chunk: chunk)
        }
    }

    /// Whether no DICOM range of `accept` names a transfer syntax (a bare `application/dicom`,
    /// `multipart/related; type="application/dicom"`, `*/*` or no Accept at all): the server's default applies.
    static func namesNoTransferSyntax(_ accept: AcceptHeader) -> Bool {
        !accept.ranges.contains { range in
            range.mediaType[parameter: "transfer-syntax"] != nil
        }
    }

    /// Treats a `multipart/related; type="application/dicom"` range without `transfer-syntax` as asking for
    /// the stored syntax, as most archives do (PS3.18 §8.7.3.5.2 names Explicit VR Little Endian as the
    /// default; serving the stored syntax avoids a lossy or impossible conversion).
    static func defaultingTransferSyntax(_ accept: AcceptHeader) -> AcceptHeader {
        AcceptHeader(
            ranges: accept.ranges.map { range in
                var r = range
                if r.mediaType[parameter: "transfer-syntax"] == nil,
                    r.mediaType.hasSameEssence(as: .dicom)
                        || (r.mediaType.hasSameEssence(as: .multipartRelated)
                            && r.mediaType[parameter: "type"].flatMap { MediaType($0) }?.hasSameEssence(as: .dicom)
                                == true)
                {
                    r.mediaType = r.mediaType.setting(parameter: "transfer-syntax", to: "*")
                }
                return r
            })
    }

    // MARK: Metadata

    func metadata(_ request: Request, _ selection: InstanceSelection) async throws -> Response {
        let found = try await retrieve.instances(selection)
        let offers = [
            Representation(.dicomJSON), Representation(.json), Representation(.multipartRelated(type: .dicomXML)),
        ]
        let negotiated: NegotiatedRepresentation
        do { negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: offers) } catch {
            throw DICOMwebError(error)
        }
        let xml = negotiated.offerIndex == 2
        let etag = Validators.etag(found, variant: xml ? "metadata-xml" : "metadata-json")
        var headers: HTTPFields = [
            .eTag: etag, .lastModified: Validators.lastModified(found),
            .cacheControl: "private, max-age=0, must-revalidate",
        ]
        if Validators.notModified(request, etag: etag) { return Response(status: .notModified, headers: headers) }
        let base = request.serviceBase(configuration)
        let retrieve = self.retrieve
        // The first batch is read before the head: an instance whose metadata document and bytes are both
        // gone is a 500, not a 200 cut short (a later batch cuts the connection).
        let batches = Self.batches(found)
        let firstDocuments = try await retrieve.metadata(batches[0], format: xml ? .xml : .json)
        @Sendable func documents(_ i: Int) async throws -> [[UInt8]] {
            i == 0 ? firstDocuments : try await retrieve.metadata(batches[i], format: xml ? .xml : .json)
        }
        if xml {
            let boundary = MultipartBoundary.random()
            let multipartType = MultipartWriter(boundary: boundary)
            headers[.contentType] = multipartType.contentType(type: .dicomXML).description
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    var multipart = MultipartWriter(boundary: boundary)
                    for (i, batch) in batches.enumerated() {
                        let documents = try await documents(i)
                        var chunk: [UInt8] = []
                        for (instance, document) in zip(batch, documents) {
                            chunk += multipart.beginPart(contentType: .dicomXML)
                            BulkURIRewriter.rewrite(
                                document, marker: BulkURIRewriter.xmlMarker,
                                prefix: Self.instanceURL(base, instance) + "/", into: &chunk)
                        }
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                    try await writer.write(ByteBuffer(bytes: multipart.finish()))
                    try await writer.finish(nil)
                })
        }
        headers[.contentType] = "application/dicom+json"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var chunk: [UInt8] = [UInt8(ascii: "[")]
                var first = true
                for (i, batch) in batches.enumerated() {
                    let documents = try await documents(i)
                    for (instance, document) in zip(batch, documents) {
                        if !first { chunk.append(UInt8(ascii: ",")) }
                        first = false
                        BulkURIRewriter.rewrite(
                            document, marker: BulkURIRewriter.jsonMarker,
                            prefix: Self.instanceURL(base, instance) + "/", into: &chunk)
                    }
                    try await writer.write(ByteBuffer(bytes: chunk))
                    chunk.removeAll(keepingCapacity: true)
                }
                chunk.append(UInt8(ascii: "]"))
                try await writer.write(ByteBuffer(bytes: chunk))
                try await writer.finish(nil)
            })
    }

    /// Metadata documents are read this many at a time (one I/O job each), which bounds memory and keeps
    /// the response streaming.
    static let metadataBatch = 128

    static func batches(_ instances: [StoredInstance]) -> [[StoredInstance]] {
        stride(from: 0, to: instances.count, by: metadataBatch).map {
            Array(instances[$0..<min($0 + metadataBatch, instances.count)])
        }
    }

    /// The instance's URL, its UIDs as percent-encoded path segments (RFC 3986 §2.1).
    static func instanceURL(_ base: String, _ instance: StoredInstance) -> String {
        let (study, series) = (PercentEncoding.encode(instance.studyUID), PercentEncoding.encode(instance.seriesUID))
        return "\(base)/studies/\(study)/series/\(series)/instances/\(PercentEncoding.encode(instance.sopInstanceUID))"
    }

    // MARK: Frames, pixel data, bulk data

    /// `/frames/{list}` (§10.4.1.1.6) and `/pixeldata` (CP 2040, all frames).
    func frames(_ request: Request, _ selection: InstanceSelection, list: String?) async throws -> Response {
        let instance = try await retrieve.instances(selection)[0]
        // Deflated instances have no recorded frames: they are found by inflating.
        guard let layout = try await retrieve.frameLayout(instance) else {
            throw DICOMwebError(.notFound, "instance \(instance.sopInstanceUID) has no pixel data")
        }
        let numbers =
            try list.map { try Self.frameNumbers($0, count: layout.frameCount) } ?? Array(1...max(1, layout.frameCount))
        let ranges = numbers.map { layout.ranges(ofFrame: $0) ?? [] }
        return try await sendBulk(request, instance: instance, parts: ranges, locations: numbers.map { "frames/\($0)" })
    }

    /// The frame numbers of a `{frames}` path segment (PS3.18 §10.4.1.1.2): from 1, comma-separated, in the
    /// order given; 400 when malformed or longer than the instance's frames (a list repeating one frame would
    /// make one short request cost as many decodes, renders or transcodes as it names), 404 beyond them.
    static func frameNumbers(_ list: String, of instance: StoredInstance) throws -> [Int] {
        try frameNumbers(list, count: instance.pixelLayout?.frameCount ?? 0)
    }

    /// The frame numbers of `list` for an instance of `count` frames.
    static func frameNumbers(_ list: String, count: Int) throws -> [Int] {
        let items = list.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count <= max(1, count) else {
            throw DICOMwebError(
                .badRequest, "the frame list names \(items.count) frames; the instance has \(count)")
        }
        return try items.map { item in
            let digits = item.trimmingCharacters(in: .whitespaces)
            guard let n: Int = DecimalNumber.saturating(digits), n >= 1 else {
                throw DICOMwebError(
                    .badRequest, "frame numbers are positive integers separated by commas, got \"\(list)\"")
            }
            guard n <= count else {
                throw DICOMwebError(.notFound, "frame \(digits) does not exist; the instance has \(count)")
            }
            return n
        }
    }

    /// A BulkDataURI of the metadata: `bulkdata/{offset}-{length}`; the top-level Pixel Data resolves to its
    /// frames.
    func bulkData(_ request: Request, _ selection: InstanceSelection, reference: String) async throws -> Response {
        let instance = try await retrieve.instances(selection)[0]
        let pieces = reference.split(separator: "-")
        guard let offset: UInt64 = pieces.first.flatMap({ DecimalNumber.saturating($0) }), pieces.count <= 2 else {
            throw DICOMwebError(.notFound, "no bulk data \(reference)")
        }
        if offset == instance.pixelDataOffset, let layout = instance.pixelLayout, pieces.count == 1 {
            let ranges = (1...max(1, layout.frameCount)).map { layout.ranges(ofFrame: $0) ?? [] }
            return try await sendBulk(request, instance: instance, parts: ranges, locations: nil)
        }
        if pieces.count == 1, TransferSyntax(uid: instance.transferSyntaxUID).isEncapsulated,
            let fragments = try await retrieve.nestedFragments(instance, at: offset)
        {
            // Encapsulated Pixel Data nested in a sequence (an icon image): one frame, its fragments, as stored
            // (its geometry is not the instance's, so it is never decoded here).
            return try await sendBulk(request, instance: instance, parts: [fragments], locations: nil, asStored: true)
        }
        guard pieces.count == 2, let length: UInt64 = DecimalNumber.saturating(pieces[1]),
            case (let end, false) = offset.addingReportingOverflow(length),
            end <= instance.size || TransferSyntax(uid: instance.transferSyntaxUID).isDeflated
        else {
            throw DICOMwebError(.notFound, "no bulk data \(reference)")
        }
        if TransferSyntax(uid: instance.transferSyntaxUID).isDeflated {
            // Offsets count inflated bytes: the value is checked by inflating up to it, before the head.
            let reader = retrieve.valueReader(instance)
            defer { reader.close() }
            try await retrieve.checkInflatedValue(reader, at: offset, length: length)
        }
        // Big endian values are sent little endian (PS3.18 §8.7.3.4), swapped by their VR.
        let swap = try await retrieve.bulkDataSwap(instance, valueAt: offset, length: length)
        return try await sendBulk(
            request, instance: instance, parts: [[ByteRange(offset: offset, length: length)]], locations: nil,
            plainBulk: true, swapping: swap)
    }

    /// Sends byte ranges as a multipart/related body (one part per entry of `parts`), or as a single body
    /// when the client accepts the bare media type; HTTP Range applies to a single bare body.
    private func sendBulk(
        _ request: Request, instance: StoredInstance, parts: [[ByteRange]], locations: [String]?,
        plainBulk: Bool = false, asStored: Bool = false, swapping: ByteSwap? = nil
    ) async throws -> Response {
        let ts = TransferSyntax(uid: instance.transferSyntaxUID)
        let encapsulated = ts.isEncapsulated && !plainBulk
        // Native big endian frames are sent little endian (PS3.18 §8.7.3.4), words of Bits Allocated reversed.
        let swap = !encapsulated && ts.isBigEndian && !plainBulk ? try await retrieve.pixelDataSwap(instance) : swapping
        let native = MediaType.octetStream
        let le = Representation.explicitVRLittleEndian
        // As stored; frames a codec decodes also native (PS3.18 §8.7.3.4: octet-stream without a transfer syntax
        // is Explicit VR Little Endian) and re-encoded in any syntax a codec produces, one frame at a time.
        var offers: [Representation] = []
        let convertible = !encapsulated || (!asStored && FrameCodecs.canDecode(ts.uid))
        if encapsulated {
            let own = FrameMediaTypes.mediaType(forTransferSyntax: ts.uid)
            offers = [
                Representation(.multipartRelated(type: own), transferSyntaxes: [ts.uid], defaultTransferSyntax: ts.uid),
                Representation(own, transferSyntaxes: [ts.uid], defaultTransferSyntax: ts.uid),
            ]
        }
        // octet-stream: native frames, or with `transfer-syntax=*` the stored ones.
        let octets = encapsulated ? (convertible ? [ts.uid, le] : [ts.uid]) : [le]
        offers += [
            Representation(.multipartRelated(type: native), transferSyntaxes: octets),
            Representation(native, transferSyntaxes: octets),
        ]
        if convertible && !plainBulk && !ts.isBigEndian && !ts.isDeflated {
            offers += Self.encodedFrameOffers(excluding: encapsulated ? ts.uid : nil)
        }
        let negotiated: NegotiatedRepresentation
        let knownGeometry: FrameGeometry?
        do {
            // A range whose conversion the codecs cannot make for these frames gives way to the next one.
            (negotiated, knownGeometry) = try await Self.negotiateProducible(
                request.acceptHeader, offers: offers, instance: instance, encapsulated: encapsulated, retrieve)
        } catch let error as NotAcceptable {
            throw DICOMwebError(
                .notAcceptable,
                "\(error.description) (frames stored in \(ts.uid) can be sent as stored"
                    + (convertible
                        ? ", decoded to \(le) or encoded in \(FrameCodecs.encodable.joined(separator: ", ")))"
                        : "; no codec decodes them)"))
        }
        let chosen = negotiated.transferSyntax.flatMap { $0 == "*" ? nil : $0 } ?? ts.uid
        // Encapsulated frames asked for in another syntax are decoded one at a time; frames asked for in an
        // encapsulated syntax other than the stored one are encoded one at a time.
        let decoding = encapsulated && chosen != ts.uid
        let encodingTo: String? = chosen != ts.uid && TransferSyntax(uid: chosen).isEncapsulated ? chosen : nil
        // Every part carries the transfer syntax of what it holds (PS3.18 §8.7.3.4): the stored or newly encoded
        // one of encapsulated frames, Explicit VR Little Endian for native frames and bulk data.
        let sentSyntax = encodingTo ?? (encapsulated && !decoding ? ts.uid : le)
        let instances = [instance]
        let etag = Validators.etag(
            instances,
            variant: negotiated.mediaType.description + (locations?.joined() ?? "")
                + "\(parts.first?.first?.offset ?? 0)")
        var headers: HTTPFields = [
            .eTag: etag, .lastModified: Validators.lastModified(instances),
            .cacheControl: "private, max-age=0, must-revalidate",
        ]
        if Validators.notModified(request, etag: etag) { return Response(status: .notModified, headers: headers) }
        // Missing or damaged bytes are a 500 before the head, not a 200 with a short body.
        try await retrieve.checkIntact(instance)
        var loaded = knownGeometry
        if loaded == nil, decoding || encodingTo != nil {
            loaded = try FrameGeometry(try await retrieve.imageAttributes(instance))
        }
        let geometry = loaded
        if decoding, let geometry { try FrameCodecs.checkDecodable(geometry, from: ts.uid) }
        if let encodingTo, let geometry {
            let native = decoding ? FrameCodecs.decodedGeometry(geometry, from: ts.uid) : geometry
            try FrameCodecs.checkEncodable(native, in: encodingTo)
        }
        let retrieve = self.retrieve
        let partType =
            negotiated.mediaType.hasSameEssence(as: .multipartRelated)
            ? (negotiated.mediaType[parameter: "type"].flatMap { MediaType($0) } ?? native) : negotiated.mediaType
        let partMediaType = partType.setting(parameter: "transfer-syntax", to: sentSyntax)
        if !negotiated.mediaType.hasSameEssence(as: .multipartRelated) {
            guard parts.count == 1 else {
                throw DICOMwebError(
                    .notAcceptable, "several frames need multipart/related; type=\"\(partType.essence)\"")
            }
            if let geometry {
                // Converted before the response starts, so that a damaged frame is a clean 500 with the reason.
                let frame = try await retrieve.convertedFrame(
                    instance, ranges: parts[0], geometry: geometry, encodingTo: encodingTo)
                headers[.contentType] = partMediaType.description
                headers[.contentLength] = String(frame.count)
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: frame)))
            }
            guard let (status, send) = Self.applyRange(request, to: parts[0], headers: &headers) else {
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            headers[.contentType] = partMediaType.description
            headers[.contentLength] = String(send.reduce(0) { $0 + $1.length })
            return Response(
                status: status, headers: headers,
                body: ResponseBody { writer in
                    let reader = retrieve.valueReader(instance, swapping: swap)
                    defer { reader.close() }
                    for range in send {
                        try await reader.stream(range) { try await writer.write($0) }
                    }
                    try await writer.finish(nil)
                })
        }
        // The first decoded frame is ready before the response starts: a damaged one is a clean 500; a later
        // one cuts the connection (the status is sent by then).
        let firstFrame: [UInt8]? =
            if let geometry, let first = parts.first {
                try await retrieve.convertedFrame(instance, ranges: first, geometry: geometry, encodingTo: encodingTo)
            } else { nil }
        let boundary = MultipartBoundary.random()
        let multipartType = MultipartWriter(boundary: boundary)
        headers[.contentType] =
            multipartType.contentType(
                type: partType.removing(parameter: "transfer-syntax"),
                parameters: [.init(name: "transfer-syntax", value: sentSyntax)]
            ).description
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let reader = retrieve.valueReader(instance, swapping: swap)
                defer { reader.close() }
                var multipart = MultipartWriter(boundary: boundary)
                for (i, ranges) in parts.enumerated() {
                    let location = locations.map {
                        Self.instanceURL(request.serviceBase(configuration), instance) + "/" + $0[i]
                    }
                    try await writer.write(
                        ByteBuffer(bytes: multipart.beginPart(contentType: partMediaType, contentLocation: location)))
                    if let geometry {
                        let frame =
                            if i == 0, let firstFrame { firstFrame } else {
                                try await retrieve.convertedFrame(
                                    instance, ranges: ranges, geometry: geometry, encodingTo: encodingTo)
                            }
                        try await writer.write(ByteBuffer(bytes: frame))
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

    /// The frame representations of every syntax a codec encodes (but `excluding`), one per media type with the
    /// type's default transfer syntax (PS3.18 Table 8.7.3-4): multipart first, then the bare types.
    static func encodedFrameOffers(excluding: String?) -> [Representation] {
        let defaults = [
            "image/jpeg": JPEGCodec.losslessSV1, "image/jls": JPEGLSCodec.lossless, "image/jp2": JPEG2000Codec.lossless,
            "image/jphc": JPEG2000Codec.htLossless,
        ]
        var byType: [(DICOMweb.MediaType, [String])] = []
        for syntax in FrameCodecs.encodable where syntax != excluding {
            let type = FrameMediaTypes.mediaType(forTransferSyntax: syntax)
            if let at = byType.firstIndex(where: { $0.0 == type }) {
                byType[at].1.append(syntax)
            } else {
                byType.append((type, [syntax]))
            }
        }
        func representation(_ type: DICOMweb.MediaType, _ syntaxes: [String], multipart: Bool) -> Representation {
            let fallback = defaults[type.essence].flatMap { syntaxes.contains($0) ? $0 : nil } ?? syntaxes[0]
            return Representation(
                multipart ? .multipartRelated(type: type) : type, transferSyntaxes: syntaxes,
                defaultTransferSyntax: fallback)
        }
        return byType.map { representation($0.0, $0.1, multipart: true) }
            + byType.map { representation($0.0, $0.1, multipart: false) }
    }

    /// A single `bytes=` range (RFC 9110 §14.1.2): first-last, first-, or -suffix.
    static func parseRange(_ header: String, total: UInt64) -> (UInt64, UInt64)? {
        guard header.hasPrefix("bytes="), total > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        // Positions past the representation, however many digits, are clamped to it (§14.1.2), never overflow.
        if first.isEmpty {
            guard let suffix: UInt64 = DecimalNumber.saturating(last), suffix > 0 else { return nil }
            return (total - min(suffix, total), total - 1)
        }
        guard let start: UInt64 = DecimalNumber.saturating(first), start < total else { return nil }
        guard let end = last.isEmpty ? total - 1 : DecimalNumber.saturating(last).map({ min($0, total - 1) }),
            end >= start
        else { return nil }
        return (start, end)
    }
}

/// Turns the relative BulkDataURIs stored in metadata documents into absolute ones.
enum BulkURIRewriter {
    static let jsonMarker = Array("\"BulkDataURI\":\"".utf8)
    static let xmlMarker = Array("<BulkData uri=\"".utf8)

    /// Appends `document` to `out` with `prefix` inserted after every `marker`; copies the spans between
    /// markers in bulk.
    static func rewrite(_ document: [UInt8], marker: [UInt8], prefix: String, into out: inout [UInt8]) {
        let prefixBytes = Array(prefix.utf8)
        out.reserveCapacity(out.count + document.count + 256)
        document.withUnsafeBufferPointer { doc in
            let n = doc.count
            let m = marker.count
            let first = marker[0]
            var copied = 0
            var i = 0
            while i + m <= n {
                if doc[i] == first, memcmp(doc.baseAddress! + i, marker, m) == 0 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: doc[copied..<(i + m)]))
                    out += prefixBytes
                    i += m
                    copied = i
                } else {
                    i += 1
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: doc[copied..<n]))
        }
    }
}
