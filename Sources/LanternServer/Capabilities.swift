import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// The Retrieve Capabilities transaction (PS3.18 §8.9) and the generated descriptions of the service.
public enum Capabilities {
    /// `OPTIONS` on the service root or a resource: `Allow` and the WADL Capabilities Description (Annex H).
    /// Answers `application/vnd.sun.wadl+xml` (also for `application/xml`, `text/xml` and `*/*`); other
    /// Accept values get 406.
    static func options(_ request: Request, target: String, configuration: ServerConfiguration) throws -> Response {
        let offers = [
            Representation(DICOMweb.MediaType(type: "application", subtype: "vnd.sun.wadl+xml")),
            Representation(DICOMweb.MediaType(type: "application", subtype: "xml")),
            Representation(DICOMweb.MediaType(type: "text", subtype: "xml")),
        ]
        let negotiated: NegotiatedRepresentation
        do {
            negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: offers)
        } catch { throw DICOMwebError(error) }
        let body = CapabilitiesWADL.document(base: request.serviceBase(configuration), target: target)
        let allow = (target.isEmpty ? ["OPTIONS"] : ServiceDescription.methods(at: target)).joined(separator: ", ")
        return Response(
            status: .ok,
            headers: [.contentType: negotiated.mediaType.description, .allow: allow],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// `GET /openapi.json`.
    static func openAPI(_ request: Request, configuration: ServerConfiguration) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(
                byteBuffer: ByteBuffer(string: CapabilitiesOpenAPI.document(base: request.serviceBase(configuration)))))
    }

    /// The WADL document of `target` ("" for the whole service) for a service root at `base`.
    public static func wadl(base: String, target: String = "") -> String {
        CapabilitiesWADL.document(base: base, target: target)
    }

    /// The OpenAPI 3.0 document for a service root at `base`.
    public static func openAPI(base: String) -> String { CapabilitiesOpenAPI.document(base: base) }

    /// The generated part of `docs/conformance-statement.md`: every transaction with its resource, media
    /// types and parameters.
    public static func conformanceTable() -> String {
        var out =
            "| Transaction | Method and resource | Request media types | Response media types | Query parameters | Success |\n"
        out += "|---|---|---|---|---|---|\n"
        func list(_ items: [String]) -> String {
            items.isEmpty ? "—" : items.map { "`\($0.replacing("|", with: "\\|"))`" }.joined(separator: "<br>")
        }
        for route in ServiceDescription.routes {
            var parameters = route.queryParameters
            if route.matchingKeys { parameters.insert("{attributeID}={value}", at: 0) }
            out +=
                "| \(route.operationID) | `\(route.method.rawValue) {root}/\(route.path)` | "
                + "\(list(route.requestTypes)) | \(list(route.responseTypes)) | \(list(parameters)) | "
                + "\(route.successStatuses.map(String.init).joined(separator: ", ")) |\n"
        }
        let paths = ([""] + ServiceDescription.paths).map { "`OPTIONS {root}\($0.isEmpty ? "" : "/" + $0)`" }
        out +=
            "| RetrieveCapabilities | \(paths.joined(separator: "<br>")) | — | `\(CapabilitiesWADL.mediaType)` | — | 200 |\n"
        return out
    }
}
