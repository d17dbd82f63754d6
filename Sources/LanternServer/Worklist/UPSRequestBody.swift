import DICOMCore
import DICOMJSON
import DICOMXML
import DICOMweb
import Hummingbird
import NIOCore

/// Reads the data set of a UPS-RS request body (PS3.18 §11.1.3): DICOM JSON (an array of one data set, or the
/// data set itself), or the native XML model, alone or as the one part of a `multipart/related;
/// type="application/dicom+xml"` body. Bodies are small: more than ``maxBytes`` is refused with 413.
enum UPSRequestBody {
    static let maxBytes = 4 << 20

    /// The body's data set; an empty data set when the body is empty and `optional`.
    static func read(_ request: Request, optional: Bool = false) async throws -> DataSet {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw DICOMwebError(.contentTooLarge, "A workitem request body has at most \(maxBytes) bytes.")
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.isEmpty {
            if optional { return DataSet() }
            throw DICOMwebError(.badRequest, "The request needs a data set in its body (PS3.18 §11).")
        }
        guard let text = request.headers[.contentType], let type = MediaType(text) else {
            throw DICOMwebError(
                .unsupportedMediaType, "Content-Type is required: application/dicom+json or application/dicom+xml.")
        }
        do {
            if type.hasSameEssence(as: .dicomJSON) || type.hasSameEssence(as: .json) {
                return try decodeJSON(bytes)
            }
            if type.hasSameEssence(as: .dicomXML) || type.essence == "application/xml" {
                return try NativeXMLDecoder.decode(bytes)
            }
            if type.hasSameEssence(as: .multipartRelated),
                type[parameter: "type"].flatMap(MediaType.init)?.hasSameEssence(as: .dicomXML) ?? false,
                let boundary = type[parameter: "boundary"]
            {
                return try NativeXMLDecoder.decode(try firstPart(bytes, boundary: boundary))
            }
        } catch let error as DICOMwebError {
            throw error
        } catch {
            throw DICOMwebError(.badRequest, "The body is not a valid data set: \(error)")
        }
        throw DICOMwebError(
            .unsupportedMediaType,
            "Content-Type \(type.essence) is not supported; use application/dicom+json or application/dicom+xml.")
    }

    /// A DICOM JSON body: an array holding one data set (PS3.18 §11: "a JSON array of one dataset"), or the
    /// object alone.
    static func decodeJSON(_ bytes: [UInt8]) throws -> DataSet {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard first == UInt8(ascii: "[") else { return try DICOMJSONDecoder.decode(bytes) }
        let sets = try DICOMJSONDecoder.decodeArray(bytes)
        guard sets.count == 1 else {
            throw DICOMwebError(.badRequest, "The body holds \(sets.count) data sets; a workitem request has one.")
        }
        return sets[0]
    }

    static func firstPart(_ bytes: [UInt8], boundary: String) throws -> [UInt8] {
        var splitter = try MultipartSplitter(boundary: boundary)
        splitter.append(bytes)
        splitter.finish()
        var body: [UInt8] = []
        var parts = 0
        while let event = try splitter.next() {
            switch event {
            case .partStart: parts += 1
            case .body(let chunk) where parts == 1: body += chunk
            case .body, .partEnd, .end: break
            }
        }
        guard parts == 1 else {
            throw DICOMwebError(.badRequest, "The multipart body holds \(parts) parts; a workitem request has one.")
        }
        return body
    }
}
