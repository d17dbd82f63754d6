import DICOMweb
import HTTPTypes
import Hummingbird

extension Request {
    /// The Accept header as a list of ranges; a `accept` query parameter (PS3.18 §8.3.3.1) takes precedence.
    var acceptHeader: AcceptHeader {
        let query = uri.queryParameters.getAll("accept")
        if !query.isEmpty { return AcceptHeader(fieldValues: query.map { String($0) }) }
        return AcceptHeader(fieldValues: headers[values: .accept])
    }

    /// The URL prefix of the service root as clients see it.
    func serviceBase(_ configuration: ServerConfiguration) -> String {
        if let base = configuration.publicBaseURL { return base + configuration.serviceRoot }
        let host = head.authority ?? "\(configuration.host):\(configuration.port)"
        return "http://\(host)\(configuration.serviceRoot)"
    }
}

extension HTTPField.Name {
    static let warning = HTTPField.Name("Warning")!
    static let contentLocation = HTTPField.Name("Content-Location")!
}
