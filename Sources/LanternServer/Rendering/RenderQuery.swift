import DICOMCore
import DICOMImaging
import Hummingbird

/// The query parameters of a rendered or thumbnail request (PS3.18 §8.3.5, Table 8.3.5-1), validated: each
/// malformed one is a 400 with the reason.
struct RenderQuery: Sendable {
    /// `window=center,width,function` (§8.3.5.1.4).
    var window: VOIWindow?
    /// `viewport=vw,vh[,sx,sy,sw,sh]` (§8.3.5.1.3).
    var viewport: Viewport?
    /// `quality` 1–100 (§8.3.5.1.2), lossy media types only.
    var quality: Int?
    /// `annotation=patient,technique` (§8.3.5.1.1).
    var annotations: [RenderAnnotation] = []
    /// Annotation values Lantern does not draw (ignored, with a `Warning: 299`).
    var unsupportedAnnotations: [String] = []
    /// `iccprofile=yes` (§8.3.5.1.5): embed the image's ICC Profile (0028,2000); `no` and absent embed none.
    var embedProfile = false

    /// No parameters (WADO-URI sets its own, §9.5).
    init() {}

    /// Parses the parameters of `request`; `thumbnail` allows only `viewport=vw,vh` (§8.3.5.2). A viewport that
    /// would render more than `maximumPixels` is refused when applied (400, naming `max-rendered-pixels`).
    init(_ request: Request, thumbnail: Bool = false, maximumPixels: Int? = nil) throws {
        let query = request.uri.queryParameters
        func single(_ name: String) throws -> String? {
            let values = query.getAll(name)
            guard values.count <= 1 else { throw DICOMwebError(.badRequest, "\(name) is given more than once") }
            return values.first.map { String($0) }
        }
        if let text = try single("viewport") {
            viewport = try Self.viewport(text, full: !thumbnail)
            viewport?.maximumPixels = maximumPixels
        }
        guard !thumbnail else { return }
        if let text = try single("iccprofile") {
            switch text {
            case "no": embedProfile = false
            case "yes": embedProfile = true
            case "srgb", "adobergb", "rommrgb":
                throw DICOMwebError(
                    .badRequest,
                    "iccprofile=\(text) would need a colour transformation, which Lantern does not do; yes embeds the image's own profile"
                )
            default:
                throw DICOMwebError(.badRequest, "iccprofile is no, yes, srgb, adobergb or rommrgb, not \"\(text)\"")
            }
        }
        if let text = try single("window") {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard parts.count == 3, let center = Double(parts[0]), let width = Double(parts[1]), center.isFinite,
                width.isFinite
            else {
                throw DICOMwebError(
                    .badRequest, "window is center,width,function with decimal numbers, not \"\(text)\"")
            }
            let functions: [String: VOIWindow.Function] = [
                "linear": .linear, "linear-exact": .linearExact, "sigmoid": .sigmoid,
            ]
            guard let function = functions[parts[2]] else {
                throw DICOMwebError(
                    .badRequest, "the window function is linear, linear-exact or sigmoid, not \"\(parts[2])\"")
            }
            guard width >= (function == .linear ? 1 : Double.leastNonzeroMagnitude) else {
                throw DICOMwebError(
                    .badRequest, "the window width must be \(function == .linear ? "at least 1" : "positive")")
            }
            window = VOIWindow(center: center, width: width, function: function)
        }
        if let text = try single("quality") {
            guard let value = Int(text.trimmingSpaces), (1...100).contains(value) else {
                throw DICOMwebError(.badRequest, "quality is an integer from 1 to 100, not \"\(text)\"")
            }
            quality = value
        }
        (annotations, unsupportedAnnotations) = try Self.annotations(query.getAll("annotation").map { String($0) })
    }

    /// The `annotation` values (§8.3.5.1.1), each a comma-separated list: the known ones, once each, and the
    /// others (ignored, with a warning); an empty value is a 400.
    static func annotations(_ texts: [String]) throws -> ([RenderAnnotation], [String]) {
        var known: [RenderAnnotation] = []
        var unknown: [String] = []
        for text in texts {
            let values = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard !values.contains(where: \.isEmpty) else {
                throw DICOMwebError(.badRequest, "annotation is a comma-separated list of patient and technique")
            }
            for value in values {
                if let annotation = RenderAnnotation(rawValue: value) {
                    if !known.contains(annotation) { known.append(annotation) }
                } else {
                    unknown.append(value)
                }
            }
        }
        return (known, unknown)
    }

    /// `vw,vh[,sx,sy,sw,sh]`: vw and vh positive integers; the others decimals that may be left empty.
    static func viewport(_ text: String, full: Bool) throws -> Viewport {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard parts.count == 2 || (full && parts.count == 6), let vw = Int(parts[0]), let vh = Int(parts[1]),
            (1...16384).contains(vw), (1...16384).contains(vh)
        else {
            throw DICOMwebError(
                .badRequest,
                full
                    ? "viewport is vw,vh or vw,vh,sx,sy,sw,sh with vw and vh from 1 to 16384, not \"\(text)\""
                    : "a thumbnail's viewport is vw,vh with vw and vh from 1 to 16384, not \"\(text)\"")
        }
        var viewport = Viewport(width: vw, height: vh)
        guard parts.count == 6 else { return viewport }
        func decimal(_ index: Int) throws -> Double? {
            if parts[index].isEmpty { return nil }
            guard let value = Double(parts[index]), value.isFinite else {
                throw DICOMwebError(.badRequest, "viewport values 3 to 6 are decimal numbers, not \"\(parts[index])\"")
            }
            return value
        }
        viewport.sourceX = try decimal(2)
        viewport.sourceY = try decimal(3)
        viewport.sourceWidth = try decimal(4)
        viewport.sourceHeight = try decimal(5)
        if (viewport.sourceX ?? 0) < 0 || (viewport.sourceY ?? 0) < 0 {
            throw DICOMwebError(.badRequest, "the viewport's sx and sy are not negative (0,0 is the top-left corner)")
        }
        if viewport.sourceWidth == 0 || viewport.sourceHeight == 0 {
            throw DICOMwebError(.badRequest, "the viewport's source region has no area")
        }
        return viewport
    }
}
