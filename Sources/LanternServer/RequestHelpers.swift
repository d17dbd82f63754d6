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

extension HTTPFields {
    /// `Warning: 299 lantern: "…"` fields, one per text (PS3.18 §8.4.3; RFC 7234 §5.5: the text a quoted
    /// string, `"` and `\` escaped).
    static func warnings(_ texts: [String]) -> HTTPFields {
        var fields: HTTPFields = [:]
        for text in texts {
            let quoted = text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            fields.append(HTTPField(name: .warning, value: "299 lantern: \"\(quoted)\""))
        }
        return fields
    }

    /// The warning of a search cut at the server's maximum (PS3.18 §8.3.4.4.1).
    static let moreResults = warnings([
        "The number of results exceeded the maximum supported by the server. Additional results can be requested."
    ])
}

extension HTTPField.Name {
    static let warning = HTTPField.Name("Warning")!
    static let contentLocation = HTTPField.Name("Content-Location")!
}
