import Archive
import DICOMImaging
import DICOMweb
import HTTPTypes
import Hummingbird

/// The one place where failures become HTTP responses (ARCHITECTURE §6): a status and a plain-text reason.
struct DICOMwebError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: ArchiveError) {
        switch error.code {
        case .notFound: self.init(.notFound, error.message)
        case .conflict: self.init(.conflict, error.message)
        case .invalidRequest: self.init(.badRequest, error.message)
        case .notAcceptable: self.init(.notAcceptable, error.message)
        case .tooLarge: self.init(.contentTooLarge, error.message)
        // RFC 4918 §11.5: the server cannot store what the request needs stored.
        case .insufficientStorage: self.init(.init(code: 507, reasonPhrase: "Insufficient Storage"), error.message)
        // What the index lists cannot be read whole: the server's fault, never a 200 with a short body.
        case .damaged: self.init(.internalServerError, error.message)
        default: self.init(.internalServerError, error.message)
        }
    }

    init(_ error: NotAcceptable) { self.init(.notAcceptable, error.description) }

    /// A refused worklist request, with its `Warning: 299` (PS3.18 §11).
    init(_ error: UPSError) {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .invalid: .badRequest
            case .notFound: .notFound
            case .conflict: .conflict
            }
        self.init(status, error.message)
        if let warning = error.warning { headers = .warnings([warning]) }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// Maps any error thrown by a handler.
func httpError(_ error: any Error) -> any Error {
    switch error {
    case let e as ArchiveError: DICOMwebError(e)
    case let e as NotAcceptable: DICOMwebError(e)
    case let e as RetrieveRefusal: DICOMwebError(.notAcceptable, e.description)
    case let e as UPSError: DICOMwebError(e)
    case let e as CodecError where e.code == .invalidParameter:
        DICOMwebError(.badRequest, e.message)
    // Stored pixel data that no codec can decode (truncated, corrupt) or convert: the representation asked for
    // cannot be produced (PS3.18 Table 10.4.3-1, 406), not a fault of the server; the reason says which.
    case let e as CodecError:
        DICOMwebError(.notAcceptable, "pixel data cannot be converted: \(e)")
    default: error
    }
}
