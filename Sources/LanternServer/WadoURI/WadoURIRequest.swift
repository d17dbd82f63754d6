import DICOMCore
import DICOMImaging
import DICOMweb
import Hummingbird

/// A WADO-URI request (PS3.18 §9), its query parameters validated: a 400 with the reason for every missing,
/// malformed or contradictory one (§9.4.2, §9.5.2).
struct WadoURIRequest: Sendable {
    /// The transaction the content types select.
    enum Target: Sendable, Equatable {
        /// Retrieve DICOM Instance (§9.4): `application/dicom`.
        case dicom
        /// Retrieve Rendered Instance (§9.5): the media types, best first.
        case rendered([String])
        /// No `contentType` and an Accept of anything: the default of the instance's category (§9.3).
        case categoryDefault
    }

    var study: String
    var series: String
    var object: String
    var target: Target
    /// `transferSyntax` (DICOM only; Explicit VR Little Endian when absent, §9.4.1.2.2).
    var transferSyntax: String?
    /// `anonymize=yes` (DICOM only).
    var anonymize = false
    /// `frameNumber`, from 1.
    var frameNumber: Int?
    /// `rows` and `columns`: the largest rendered size.
    var rows: Int?
    var columns: Int?
    /// `region=xmin,ymin,xmax,ymax`, fractions of the image.
    var region: [Double]?
    /// `windowCenter` and `windowWidth`: a LINEAR window.
    var window: VOIWindow?
    /// `imageQuality` 1–100.
    var quality: Int?
    /// `annotation`.
    var annotations: [RenderAnnotation] = []
    var unsupportedAnnotations: [String] = []
    /// `presentationUID` and `presentationSeriesUID`: a Grayscale Softcopy Presentation State to apply.
    var presentation: (series: String, uid: String)?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        func single(_ name: String) throws -> String? {
            let values = query.getAll(name)
            guard values.count <= 1 else { throw DICOMwebError(.badRequest, "\(name) is given more than once") }
            return values.first.map { String($0).trimmingSpaces }
        }
        func uid(_ name: String) throws -> String {
            guard let value = try single(name), !value.isEmpty else {
                throw DICOMwebError(.badRequest, "\(name) is required (PS3.18 §9.1.2.1)")
            }
            guard QIDOValueSyntax.isValidUID(value) else { throw DICOMwebError(.badRequest, "\(name) is not a UID") }
            return value
        }
        guard let requestType = try single("requestType") else {
            throw DICOMwebError(.badRequest, "requestType=WADO is required (PS3.18 §9.1.2.1)")
        }
        guard requestType == "WADO" else {
            throw DICOMwebError(.badRequest, "requestType \"\(requestType)\" is not supported; it is WADO")
        }
        study = try uid("studyUID")
        series = try uid("seriesUID")
        object = try uid("objectUID")
        target = try Self.target(try single("contentType"), accept: request.acceptHeader)
        let isDICOM = target == .dicom
        let rendering = !isDICOM
        func renderOnly(_ name: String) throws {
            if isDICOM, try single(name) != nil {
                throw DICOMwebError(.badRequest, "\(name) applies to rendered media types, not application/dicom")
            }
        }
        if let text = try single("transferSyntax") {
            guard isDICOM else {
                throw DICOMwebError(.badRequest, "transferSyntax applies to contentType=application/dicom only")
            }
            guard QIDOValueSyntax.isValidUID(text) else {
                throw DICOMwebError(.badRequest, "transferSyntax is not a UID")
            }
            transferSyntax = text
        }
        if let text = try single("anonymize") {
            guard text == "yes" else { throw DICOMwebError(.badRequest, "anonymize takes the value yes only") }
            guard isDICOM else {
                throw DICOMwebError(.badRequest, "anonymize applies to contentType=application/dicom only")
            }
            anonymize = true
        }
        for name in [
            "frameNumber", "rows", "columns", "region", "windowCenter", "windowWidth", "annotation",
            "presentationUID", "presentationSeriesUID",
        ] {
            try renderOnly(name)
        }
        if let text = try single("imageQuality") {
            guard let value = Int(text), (1...100).contains(value) else {
                throw DICOMwebError(.badRequest, "imageQuality is an integer from 1 to 100, not \"\(text)\"")
            }
            if isDICOM && (transferSyntax.flatMap(FrameCodecs.lossyMethod) == nil) {
                throw DICOMwebError(.badRequest, "imageQuality with application/dicom needs a lossy transferSyntax")
            }
            quality = value
        }
        guard rendering else { return }
        func positive(_ name: String) throws -> Int? {
            guard let text = try single(name) else { return nil }
            guard let value = Int(text), (1...16384).contains(value) else {
                throw DICOMwebError(.badRequest, "\(name) is an integer from 1 to 16384, not \"\(text)\"")
            }
            return value
        }
        frameNumber = try positive("frameNumber")
        rows = try positive("rows")
        columns = try positive("columns")
        if let text = try single("region") {
            let values = text.split(separator: ",", omittingEmptySubsequences: false).compactMap {
                Double($0.trimmingSpaces)
            }
            guard values.count == 4, values.allSatisfy({ (0...1).contains($0) }), values[0] < values[2],
                values[1] < values[3]
            else {
                throw DICOMwebError(
                    .badRequest, "region is xmin,ymin,xmax,ymax with 0 ≤ min < max ≤ 1, not \"\(text)\"")
            }
            region = values
        }
        let center = try single("windowCenter")
        let width = try single("windowWidth")
        if center != nil || width != nil {
            guard let center, let width, let c = Double(center), let w = Double(width), c.isFinite, w.isFinite else {
                throw DICOMwebError(.badRequest, "windowCenter and windowWidth are decimals given together")
            }
            guard w >= 1 else { throw DICOMwebError(.badRequest, "windowWidth must be at least 1") }
            window = VOIWindow(center: c, width: w)
        }
        (annotations, unsupportedAnnotations) = try RenderQuery.annotations(
            query.getAll("annotation").map { String($0) })
        let presentationUID = try single("presentationUID")
        let presentationSeries = try single("presentationSeriesUID")
        if presentationUID != nil || presentationSeries != nil {
            guard let presentationUID, let presentationSeries, QIDOValueSyntax.isValidUID(presentationUID),
                QIDOValueSyntax.isValidUID(presentationSeries)
            else {
                throw DICOMwebError(.badRequest, "presentationUID and presentationSeriesUID are UIDs given together")
            }
            guard frameNumber == nil, region == nil, window == nil else {
                throw DICOMwebError(
                    .badRequest, "frameNumber, region and the window cannot be combined with a presentation state")
            }
            presentation = (presentationSeries, presentationUID)
        }
    }

    /// The transaction of `contentType` (§9.1.2.2): `application/dicom` alone, or rendered media types with
    /// optional `q` weights; without it, the Accept header's.
    static func target(_ contentType: String?, accept: AcceptHeader) throws -> Target {
        guard let contentType else {
            // The Accept header, best first; q=0 excludes; image/* stands for the rendered image types.
            let ranges = accept.ranges.filter { $0.quality > 0 }.sorted { $0.quality > $1.quality }
            guard let first = ranges.first, first.mediaType.type != "*" else { return .categoryDefault }
            if first.mediaType.essence == "application/dicom" { return .dicom }
            let types = ranges.flatMap { range -> [String] in
                if range.mediaType.essence == "image/*" { return RenderedFormat.allCases.map(\.rawValue) }
                return [range.mediaType.essence]
            }
            return .rendered(types.filter { $0 != "application/dicom" })
        }
        var weighted: [(String, Double)] = []
        for item in contentType.split(separator: ",") {
            guard let type = DICOMweb.MediaType(item), type.type != "*", type.subtype != "*" else {
                throw DICOMwebError(.badRequest, "contentType \"\(item)\" is not a media type (no wildcards)")
            }
            var quality = 1.0
            for parameter in type.parameters {
                guard parameter.name.lowercased() == "q", let q = Double(parameter.value), (0...1).contains(q) else {
                    throw DICOMwebError(
                        .badRequest, "contentType takes no media type parameters but q (\(parameter.name))")
                }
                quality = q
            }
            weighted.append((type.essence, quality))
        }
        let types = weighted.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }.map(\.0)
        if types.contains("application/dicom") {
            guard types.count == 1 else {
                throw DICOMwebError(.badRequest, "contentType=application/dicom cannot be mixed with rendered types")
            }
            return .dicom
        }
        return .rendered(types)
    }
}
