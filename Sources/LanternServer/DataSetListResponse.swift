import DICOMCore
import DICOMJSON
import DICOMXML
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// A response carrying a list of data sets as search results and worklist retrievals return them (PS3.18
/// §8.7.3.2): a DICOM JSON array, or one native XML part per data set in a `multipart/related;
/// type="application/dicom+xml"` body.
enum DataSetListResponse {
    /// The representations offered, in the order ``response(_:offerIndex:status:headers:)`` reads.
    static let offers = [
        Representation(.dicomJSON), Representation(.json), Representation(.multipartRelated(type: .dicomXML)),
    ]

    /// The offers of a response holding one data set: ``offers`` and a bare `application/dicom+xml` document.
    static let singleOffers = offers + [Representation(.dicomXML)]

    /// The response for the negotiated `offerIndex` of ``offers`` (or of ``singleOffers`` for one data set).
    static func response(
        _ dataSets: [DataSet], offerIndex: Int, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        if offerIndex == 3, dataSets.count == 1 {
            headers[.contentType] = MediaType.dicomXML.description
            return Response(
                status: status, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: NativeXMLEncoder.encode(dataSets[0], prettyPrinted: false))))
        }
        if offerIndex == 2 {
            var writer = MultipartWriter(boundary: MultipartBoundary.random())
            var body: [UInt8] = []
            for dataSet in dataSets {
                body += writer.beginPart(contentType: .dicomXML)
                body += Array(NativeXMLEncoder.encode(dataSet, prettyPrinted: false).utf8)
            }
            if !dataSets.isEmpty { body += writer.finish() }
            headers[.contentType] = writer.contentType(type: .dicomXML).description
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        var body = ByteBuffer(string: "[")
        for (i, dataSet) in dataSets.enumerated() {
            if i > 0 { body.writeString(",") }
            body.writeString(DICOMJSONEncoder.encode(dataSet))
        }
        body.writeString("]")
        headers[.contentType] = "application/dicom+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
