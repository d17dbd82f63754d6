import DICOMweb
import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// The Accept header as a list of ranges; a `accept` query parameter (PS3.18 §8.3.3.1) takes precedence.
    var acceptHeader: AcceptHeader {
        let query = uri.queryParameters.getAll("accept")
        if !query.isEmpty { return AcceptHeader(fieldValues: query.map { String($0) }) }
        return AcceptHeader(fieldValues: headers[values: .accept])
    }

    /// The URL prefix of the service root as clients see it: the configured public URL; else the request's
    /// Host, with the scheme and host a trusted reverse proxy names in `X-Forwarded-Proto` and
    /// `X-Forwarded-Host` (only with `trust-forwarded-headers`: a client could otherwise point the URLs the
    /// server hands out at another host).
    func serviceBase(_ configuration: ServerConfiguration) -> String {
        if let base = configuration.publicBaseURL { return base + configuration.serviceRoot }
        var scheme = configuration.usesTLS ? "https" : "http"
        var host = head.authority ?? "\(configuration.host):\(configuration.port)"
        if configuration.trustForwardedHeaders {
            if let proto = Self.firstForwarded(headers[Self.forwardedProto])?.lowercased(),
                proto == "http" || proto == "https"
            {
                scheme = proto
            }
            if let forwarded = Self.firstForwarded(headers[Self.forwardedHost]), Self.isHostAndPort(forwarded) {
                host = forwarded
            }
        }
        return "\(scheme)://\(host)\(configuration.serviceRoot)"
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!

    /// The first (client-side) value of a forwarded header that proxies append to with commas.
    static func firstForwarded(_ value: String?) -> String? {
        value?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Whether `text` is a host name or address with an optional port, nothing that could change a URL's shape.
    static func isHostAndPort(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || "0123456789.-:[]".unicodeScalars.contains($0)
            }
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
