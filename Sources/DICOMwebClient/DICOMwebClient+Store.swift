import AsyncHTTPClient
import DICOMCore
import DICOMDictionary
import DICOMJSON
import NIOCore

/// One part of a STOW-RS request (PS3.18 §10.5.1.2): a Part 10 instance, a metadata document or bulk data.
public struct StowPart: Sendable {
    /// The part's media type: `application/dicom`, `application/dicom+json`, `image/jpeg`, …
    public var contentType: MediaType
    /// The part's Content-Location, which BulkDataURIs in the metadata refer to (PS3.18 §8.6.1.2).
    public var contentLocation: String?
    /// The part's content.
    public var content: UploadSegment

    /// Creates a part.
    public init(contentType: MediaType, contentLocation: String? = nil, content: UploadSegment) {
        self.contentType = contentType
        self.contentLocation = contentLocation
        self.content = content
    }
}

/// The outcome for one instance in a STOW-RS response (PS3.18 §10.5.3): an item of the Referenced SOP
/// Sequence (stored) or of the Failed SOP Sequence (not stored).
public struct StowInstanceResult: Sendable, Hashable {
    /// Referenced SOP Instance UID (0008,1155).
    public var sopInstanceUID: String?
    /// Referenced SOP Class UID (0008,1150).
    public var sopClassUID: String?
    /// Whether the instance is stored.
    public var stored: Bool
    /// Warning Reason (0008,1196) of a stored instance.
    public var warningReason: UInt16?
    /// Failure Reason (0008,1197) of an instance not stored.
    public var failureReason: UInt16?
    /// The server's explanation (Error Comment, (0000,0902)), when it gave one.
    public var comment: String?
    /// Retrieve URL (0008,1190) of a stored instance.
    public var retrieveURL: String?

    /// What a Failure Reason code means (PS3.18 §10.5.3, PS3.4 Annex B.2.3).
    public static func describe(failure code: UInt16) -> String {
        switch code {
        case 0xA700: return "out of resources"
        case 0xA900: return "data set does not match SOP class"
        case 0xC000: return "cannot understand"
        case 0x0110: return "processing failure"
        case 0x0111: return "duplicate SOP instance"
        case 0x0122: return "SOP class not supported"
        case 0xC122: return "referenced transfer syntax not supported"
        case 0xC409: return "refused (0xC409)"
        default: return hex4(code)
        }
    }

    /// What a Warning Reason code means (PS3.18 §10.5.3).
    public static func describe(warning code: UInt16) -> String {
        switch code {
        case 0xB000: return "coercion of data elements"
        case 0xB006: return "elements discarded"
        case 0xB007: return "data set does not match SOP class"
        case 0xB409: return "stored into a study of another patient"
        default: return hex4(code)
        }
    }
}

/// `0x` and four upper-case hex digits.
func hex4(_ code: UInt16) -> String {
    let hex = String(code, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}

/// A STOW-RS response.
public struct StowResponse: Sendable {
    /// The HTTP status: 200 all stored, 202 some stored or warnings, 409 none stored (PS3.18 Table 10.5.3-2).
    public var status: Int
    /// One result per instance the server reported on.
    public var instances: [StowInstanceResult]
    /// The response's `Warning` headers.
    public var warnings: [String]
    /// A request-level explanation, when the server gave one without per-instance results.
    public var message: String?
}

extension DICOMwebClient {
    /// Stores `parts` in one `multipart/related` request (PS3.18 §10.5), streamed from memory and files with a
    /// known Content-Length. `rootType` is the multipart `type` parameter: `application/dicom` for Part 10
    /// instances, `application/dicom+json` or `application/dicom+xml` for metadata and bulk data. With
    /// `studyUID` the request goes to `/studies/{study}` and the server refuses instances of other studies;
    /// with `resource` (a non-patient category such as `color-palettes`, PS3.18 §12.5) it goes there.
    public func store(
        _ parts: [StowPart], rootType: MediaType = .dicom, studyUID: String? = nil, resource: String? = nil
    ) async throws -> StowResponse {
        var writer = MultipartWriter(boundary: MultipartBoundary.random())
        var segments: [UploadSegment] = []
        for part in parts {
            segments.append(
                .bytes(writer.beginPart(contentType: part.contentType, contentLocation: part.contentLocation)))
            segments.append(part.content)
        }
        segments.append(.bytes(writer.finish()))
        let body = UploadBody(segments: segments)
        var request = self.request(
            url(resource.map { "/" + $0 } ?? studyUID.map { "/studies/\(PercentEncoding.encode($0))" } ?? "/studies"),
            method: .POST, accept: "application/dicom+json")
        request.headers.add(name: "Content-Type", value: writer.contentType(type: rootType).description)
        request.body = .stream(body, length: .known(body.length))
        let response = try await send(request) { (200..<300).contains($0) || $0 == 409 || $0 == 400 }
        let status = Int(response.status.code)
        let bytes = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        let warnings = response.headers["Warning"]
        guard let dataSet = Self.result(bytes) else {
            // Only a body with nothing in it may stand for "stored" without per-instance results: an HTML page
            // from a proxy or a garbled body confirms nothing.
            if status >= 400 || bytes.contains(where: { $0 > 0x20 }) {
                let body = String(decoding: bytes, as: UTF8.self)
                throw DICOMwebClientError(
                    status: status,
                    "the response is not a STOW-RS result: "
                        + Self.explanation(status: response.status, body: body, headers: response.headers))
            }
            return StowResponse(status: status, instances: [], warnings: warnings, message: nil)
        }
        return StowResponse(
            status: status, instances: Self.results(dataSet), warnings: warnings,
            message: dataSet.string(Tag.errorComment))
    }

    /// The STOW response's data set: one DICOM JSON object, or the first of an array (some servers wrap it).
    static func result(_ bytes: [UInt8]) -> DataSet? {
        if let first = bytes.first(where: { $0 > 0x20 }), first == UInt8(ascii: "[") {
            return (try? DICOMJSONDecoder.decodeArray(bytes))?.first
        }
        return try? DICOMJSONDecoder.decode(bytes)
    }

    static func results(_ response: DataSet) -> [StowInstanceResult] {
        var results: [StowInstanceResult] = []
        for (tag, stored) in [(Tag.referencedSOPSequence, true), (Tag.failedSOPSequence, false)] {
            for item in response[tag]?.value.items ?? [] {
                results.append(
                    StowInstanceResult(
                        sopInstanceUID: item.string(Tag.referencedSOPInstanceUID),
                        sopClassUID: item.string(Tag.referencedSOPClassUID),
                        stored: stored,
                        warningReason: item.int(Tag.warningReason).map { UInt16(truncatingIfNeeded: $0) },
                        failureReason: item.int(Tag.failureReason).map { UInt16(truncatingIfNeeded: $0) },
                        comment: item.string(Tag.errorComment), retrieveURL: item.string(Tag.retrieveURL)))
            }
        }
        return results
    }
}
