import Archive
import DICOMweb
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension WadoController {
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
