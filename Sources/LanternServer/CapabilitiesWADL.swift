/// The Capabilities Description of a resource as a WADL document (PS3.18 §8.9.3.2, Annex H): one
/// `application` with one `resources` whose `base` is the service root, holding a `resource` for the target
/// with all its methods and, recursively, its child resources. Built from ``ServiceDescription``.
enum CapabilitiesWADL {
    static let mediaType = "application/vnd.sun.wadl+xml"

    /// The document for `target` (a path of ``ServiceDescription/paths``, or "" for the service root).
    static func document(base: String, target: String) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += #"<application xmlns="http://wadl.dev.java.net/2009/02" xmlns:xsd="http://www.w3.org/2001/XMLSchema">"#
        out += "\n  <doc title=\"Lantern DICOMweb service\">DICOMweb (PS3.18) services of Lantern.</doc>\n"
        out += "  <resources base=\"\(escape(base.hasSuffix("/") ? base : base + "/"))\">\n"
        if target.isEmpty {
            for child in children(of: "") { resource(child, relativeTo: "", indent: 4, into: &out) }
        } else {
            resource(target, relativeTo: "", indent: 4, into: &out)
        }
        out += "  </resources>\n</application>\n"
        return out
    }

    /// The paths directly below `parent` (one more segment), in route order.
    static func children(of parent: String) -> [String] {
        let depth = parent.isEmpty ? 0 : parent.split(separator: "/").count
        var seen = Set<String>()
        var result: [String] = []
        for path in ServiceDescription.paths {
            let segments = path.split(separator: "/")
            guard segments.count > depth, parent.isEmpty || path.hasPrefix(parent + "/") else { continue }
            let child = segments[0...depth].joined(separator: "/")
            if seen.insert(child).inserted { result.append(child) }
        }
        return result
    }

    static func resource(_ path: String, relativeTo parent: String, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        let relative = parent.isEmpty ? path : String(path.dropFirst(parent.count + 1))
        out += "\(pad)<resource path=\"\(escape(relative))\">\n"
        let inherited = Set(RouteDescription.templates(in: parent))
        for name in RouteDescription.templates(in: path) where !inherited.contains(name) {
            out += "\(pad)  <param name=\"\(name)\" style=\"template\" type=\"xsd:string\" required=\"true\"/>\n"
        }
        for route in ServiceDescription.routes where route.path == path {
            method(route, indent: indent + 2, into: &out)
        }
        for child in children(of: path) { resource(child, relativeTo: path, indent: indent + 2, into: &out) }
        out += "\(pad)</resource>\n"
    }

    static func method(_ route: RouteDescription, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        out += "\(pad)<method name=\"\(route.method.rawValue)\" id=\"\(route.operationID)\">\n"
        out += "\(pad)  <doc>\(escape(route.summary))</doc>\n"
        out += "\(pad)  <request>\n"
        if !route.responseTypes.isEmpty {
            out += "\(pad)    <param name=\"Accept\" style=\"header\" default=\"\(escape(route.responseTypes[0]))\">\n"
            for type in route.responseTypes { out += "\(pad)      <option value=\"\(escape(type))\"/>\n" }
            out += "\(pad)    </param>\n"
        }
        for name in route.queryParameters {
            let repeating = name == "includefield" ? " repeating=\"true\"" : ""
            out += "\(pad)    <param name=\"\(name)\" style=\"query\" type=\"\(xsdType(name))\"\(repeating)/>\n"
        }
        if route.matchingKeys {
            out += "\(pad)    <doc>Matching keys: {attributeID}={value} query parameters (PS3.18 §8.3.4.1).</doc>\n"
        }
        for type in route.requestTypes { out += "\(pad)    <representation mediaType=\"\(escape(type))\"/>\n" }
        out += "\(pad)  </request>\n"
        let statuses = route.successStatuses.map(String.init).joined(separator: " ")
        if route.responseTypes.isEmpty {
            out += "\(pad)  <response status=\"\(statuses)\"/>\n"
        } else {
            out += "\(pad)  <response status=\"\(statuses)\">\n"
            for type in route.responseTypes { out += "\(pad)    <representation mediaType=\"\(escape(type))\"/>\n" }
            out += "\(pad)  </response>\n"
        }
        out += "\(pad)</method>\n"
    }

    static func xsdType(_ parameter: String) -> String {
        switch parameter {
        case "limit", "offset": "xsd:nonNegativeInteger"
        case "fuzzymatching": "xsd:boolean"
        default: "xsd:string"
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
