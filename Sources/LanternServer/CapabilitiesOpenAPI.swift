import Foundation

/// An OpenAPI 3.0 description of the service, built from ``ServiceDescription`` like the WADL, served at
/// `/openapi.json` for tools that read OpenAPI rather than WADL.
enum CapabilitiesOpenAPI {
    /// The document as JSON (keys sorted, so it is stable).
    static func document(base: String) -> String {
        var paths: [String: Any] = [:]
        for route in ServiceDescription.routes {
            var operations = paths["/" + route.path] as? [String: Any] ?? [:]
            operations[route.method.rawValue.lowercased()] = operation(route)
            paths["/" + route.path] = operations
        }
        paths["/wado"] = wadoURI(base: base)
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": [
                "title": "Lantern DICOMweb service", "version": "0.1.0",
                "description":
                    "DICOMweb (DICOM PS3.18) services of Lantern. OPTIONS on the service root or any resource returns its WADL Capabilities Description (PS3.18 §8.9).",
            ],
            "servers": [["url": base]],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "apiKey": [
                        "type": "http", "scheme": "bearer",
                        "description":
                            "An API key (`lantern keys create`), required when the server runs with auth = api-key; each operation needs the permission its x-lantern-permission names (docs/security.md).",
                    ]
                ]
            ],
        ]
        let data = try! JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The query parameters of WADO-URI (PS3.18 §9.1.2.1, Table 9.1.2-1 and -2).
    static let wadoURIParameters = [
        "requestType", "studyUID", "seriesUID", "objectUID", "contentType", "charset", "anonymize", "annotation",
        "rows", "columns", "region", "windowCenter", "windowWidth", "frameNumber", "imageQuality",
        "presentationUID", "presentationSeriesUID", "transferSyntax",
    ]

    /// WADO-URI (PS3.18 §9), served beside the service root rather than under it: its own `servers` entry.
    static func wadoURI(base: String) -> [String: Any] {
        let origin =
            base.hasSuffix(ServerConfiguration().serviceRoot)
            ? String(base.dropLast(ServerConfiguration().serviceRoot.count)) : base
        let required: Set<String> = ["requestType", "studyUID", "seriesUID", "objectUID"]
        let parameters: [[String: Any]] = wadoURIParameters.map {
            ["name": $0, "in": "query", "required": required.contains($0), "schema": ["type": "string"]]
        }
        let operation: [String: Any] = [
            "operationId": "RetrieveWADOURI",
            "summary":
                "WADO-URI (PS3.18 §9): an instance as application/dicom, or rendered (image/jpeg, image/png, image/gif, image/jp2, text/plain, text/html)",
            "parameters": parameters,
            "responses": [
                "200": [
                    "description": "Success", "content": ["*/*": ["schema": ["type": "string", "format": "binary"]]],
                ],
                "default": ["description": "An error, with the reason in a text/plain body"],
            ],
        ]
        return ["servers": [["url": origin]], "get": secured(operation, .read)]
    }

    static func operation(_ route: RouteDescription) -> [String: Any] {
        var parameters: [[String: Any]] = route.templates.map {
            ["name": $0, "in": "path", "required": true, "schema": ["type": "string"]]
        }
        for name in route.queryParameters {
            var parameter: [String: Any] = ["name": name, "in": "query", "required": false]
            switch name {
            case "includefield":
                parameter["schema"] = ["type": "array", "items": ["type": "string"]]
                parameter["style"] = "form"
                parameter["explode"] = true
                parameter["description"] = "An attribute to return besides the defaults (keyword or tag), or all"
            case "limit", "offset": parameter["schema"] = ["type": "integer", "minimum": 0]
            case "fuzzymatching": parameter["schema"] = ["type": "boolean"]
            case "accept":
                parameter["schema"] = ["type": "string"]
                parameter["description"] = "A media type that takes precedence over the Accept header (PS3.18 §8.3.3.1)"
            default: parameter["schema"] = ["type": "string"]
            }
            parameters.append(parameter)
        }
        if route.matchingKeys {
            parameters.append([
                "name": "matchingKeys", "in": "query", "required": false, "style": "form", "explode": true,
                "schema": ["type": "object", "additionalProperties": ["type": "string"]],
                "description": "{attributeID}={value} matching keys (PS3.18 §8.3.4.1, PS3.4 C.2.2.2 matching)",
            ])
        }
        var responses: [String: Any] = [:]
        for status in route.successStatuses {
            var response: [String: Any] = ["description": status == 204 ? "No content" : "Success"]
            if status != 204, !route.responseTypes.isEmpty {
                response["content"] = Dictionary(
                    uniqueKeysWithValues: route.responseTypes.map {
                        ($0, ["schema": ["type": "string", "format": "binary"]])
                    })
            }
            responses[String(status)] = response
        }
        responses["default"] = ["description": "An error, with the reason in a text/plain body"]
        var operation: [String: Any] = [
            "operationId": route.operationID, "summary": route.summary, "parameters": parameters,
            "responses": responses,
        ]
        operation = secured(operation, route.transaction.permission)
        if !route.requestTypes.isEmpty {
            operation["requestBody"] = [
                "required": true,
                "content": Dictionary(
                    uniqueKeysWithValues: route.requestTypes.map {
                        ($0, ["schema": ["type": "string", "format": "binary"]])
                    }),
            ]
        }
        return operation
    }

    /// `operation` with its security: no credentials (auth = none) or an API key granting `permission`.
    static func secured(_ operation: [String: Any], _ permission: Permission) -> [String: Any] {
        var operation = operation
        operation["security"] = [[String: [String]](), ["apiKey": []]]
        operation["x-lantern-permission"] = permission.rawValue
        var responses = operation["responses"] as? [String: Any] ?? [:]
        responses["401"] = ["description": "No valid API key (auth = api-key): see WWW-Authenticate"]
        responses["403"] = ["description": "The key lacks the '\(permission.rawValue)' permission"]
        operation["responses"] = responses
        return operation
    }
}
