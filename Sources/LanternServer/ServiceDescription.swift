import Archive
import HTTPTypes

/// The transactions Lantern serves under its service root. Every route is registered from
/// ``ServiceDescription/routes``, and the capabilities descriptions (WADL for `OPTIONS`, PS3.18 §8.9 and
/// Annex H; the OpenAPI document; `docs/conformance-statement.md`) are generated from the same table, so
/// they cannot drift from what the router does.
enum Transaction: String, Sendable, CaseIterable {
    case storeInstances = "StoreInstances"
    case storeStudyInstances = "StoreStudyInstances"
    case searchForStudies = "SearchForStudies"
    case searchForSeries = "SearchForSeries"
    case searchForInstances = "SearchForInstances"
    case searchForStudySeries = "SearchForStudySeries"
    case searchForStudyInstances = "SearchForStudyInstances"
    case searchForSeriesInstances = "SearchForSeriesInstances"
    case retrieveStudy = "RetrieveStudy"
    case retrieveSeries = "RetrieveSeries"
    case retrieveInstance = "RetrieveInstance"
    case retrieveStudyMetadata = "RetrieveStudyMetadata"
    case retrieveSeriesMetadata = "RetrieveSeriesMetadata"
    case retrieveInstanceMetadata = "RetrieveInstanceMetadata"
    case retrieveFrames = "RetrieveFrames"
    case retrievePixelData = "RetrievePixelData"
    case retrieveBulkData = "RetrieveBulkData"
    case retrieveRenderedStudy = "RetrieveRenderedStudy"
    case retrieveRenderedSeries = "RetrieveRenderedSeries"
    case retrieveRenderedInstance = "RetrieveRenderedInstance"
    case retrieveRenderedFrames = "RetrieveRenderedFrames"
    case retrieveStudyThumbnail = "RetrieveStudyThumbnail"
    case retrieveSeriesThumbnail = "RetrieveSeriesThumbnail"
    case retrieveInstanceThumbnail = "RetrieveInstanceThumbnail"
    case retrieveFramesThumbnail = "RetrieveFramesThumbnail"
    case deleteStudy = "DeleteStudy"
    case deleteSeries = "DeleteSeries"
    case deleteInstance = "DeleteInstance"
    case createWorkitem = "CreateWorkitem"
    case searchForWorkitems = "SearchForWorkitems"
    case retrieveWorkitem = "RetrieveWorkitem"
    case updateWorkitem = "UpdateWorkitem"
    case changeWorkitemState = "ChangeWorkitemState"
    case requestWorkitemCancellation = "RequestWorkitemCancellation"
    case createSubscription = "CreateSubscription"
    case deleteSubscription = "DeleteSubscription"
    case suspendGlobalSubscription = "SuspendGlobalSubscription"
    case openEventChannel = "OpenEventChannel"
    // The non-patient services: `{category}` is replaced by the category's name (``RouteDescription/operationID``).
    case storeNonPatientInstances = "Store{category}"
    case storeNonPatientInstance = "Store{category}Instance"
    case searchNonPatientInstances = "Search{category}"
    case retrieveNonPatientInstance = "Retrieve{category}Instance"
}

/// One transaction at one resource.
struct RouteDescription: Sendable {
    /// The HTTP method.
    var method: HTTPRequest.Method
    /// The resource path below the service root, with `{study}`-style templates.
    var path: String
    /// The transaction, which names the method in WADL (`id`) and OpenAPI (`operationId`).
    var transaction: Transaction
    /// What it does, with the PS3.18 section.
    var summary: String
    /// Media types of the request body (POST).
    var requestTypes: [String] = []
    /// Media types of the response.
    var responseTypes: [String]
    /// Query parameters besides matching keys.
    var queryParameters: [String] = []
    /// Whether the resource takes QIDO-RS matching keys (`{attributeID}={value}`, PS3.18 §8.3.4.1).
    var matchingKeys = false
    /// The success statuses.
    var successStatuses: [Int] = [200]
    /// The non-patient category of the resource (PS3.18 §12), `nil` for the other services.
    var category: NonPatientCategory? = nil

    /// The name of the method in WADL (`id`) and OpenAPI (`operationId`): the transaction, with the category
    /// in it for the non-patient services (`SearchColorPalettes`).
    var operationID: String {
        guard let category else { return transaction.rawValue }
        let title = category.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return transaction.rawValue.replacing("{category}", with: title.joined())
    }

    /// The template names in the path, in order.
    var templates: [String] { Self.templates(in: path) }

    /// The `{name}` template names of `path`, in order.
    static func templates(in path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// The path in the router's syntax (`:study`).
    var routerPath: String { Self.routerPath(path) }

    /// `path` with `{name}` templates written `:name`.
    static func routerPath(_ path: String) -> String {
        path.split(separator: "/").map { segment in
            segment.hasPrefix("{") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }
}

enum ServiceDescription {
    static let multipartDICOM = #"multipart/related; type="application/dicom""#
    static let searchTypes = [
        "application/dicom+json", "application/json", #"multipart/related; type="application/dicom+xml""#,
    ]
    static let storeRequestTypes = [
        multipartDICOM, #"multipart/related; type="application/dicom+json""#,
        #"multipart/related; type="application/dicom+xml""#, "application/dicom",
    ]
    static let storeResponseTypes = ["application/dicom+json", "application/dicom+xml", "application/json"]
    static let instanceTypes = [multipartDICOM, "application/dicom", "application/zip"]
    static let frameTypes = [
        #"multipart/related; type="application/octet-stream""#, #"multipart/related; type="image/jpeg""#,
        #"multipart/related; type="image/jls""#, #"multipart/related; type="image/jp2""#,
        #"multipart/related; type="image/jphc""#, #"multipart/related; type="image/dicom-rle""#,
        #"multipart/related; type="video/mpeg""#, #"multipart/related; type="video/mp4""#,
        "application/octet-stream", "image/jpeg", "image/jls", "image/jp2", "image/jphc", "video/mpeg", "video/mp4",
    ]
    static let searchParameters = ["includefield", "limit", "offset", "fuzzymatching"]
    static let study = "studies/{study}"
    static let series = "studies/{study}/series/{series}"
    static let instance = "studies/{study}/series/{series}/instances/{instance}"

    /// Every route, in the order the router registers them.
    static let routes: [RouteDescription] =
        [
            RouteDescription(
                method: .post, path: "studies", transaction: .storeInstances,
                summary: "Store instances (STOW-RS, PS3.18 §10.5): Part 10 instances, or metadata and bulk data",
                requestTypes: storeRequestTypes, responseTypes: storeResponseTypes, successStatuses: [200, 202]),
            RouteDescription(
                method: .post, path: study, transaction: .storeStudyInstances,
                summary: "Store instances of one study (STOW-RS, PS3.18 §10.5); others are refused",
                requestTypes: storeRequestTypes, responseTypes: storeResponseTypes, successStatuses: [200, 202]),
            search(.searchForStudies, "studies", "Search for studies (QIDO-RS, PS3.18 §10.6)"),
            search(.searchForSeries, "series", "Search for series (QIDO-RS, PS3.18 §10.6)"),
            search(.searchForInstances, "instances", "Search for instances (QIDO-RS, PS3.18 §10.6)"),
            search(
                .searchForStudySeries, study + "/series", "Search for the series of a study (QIDO-RS, PS3.18 §10.6)"),
            search(
                .searchForStudyInstances, study + "/instances",
                "Search for the instances of a study (QIDO-RS, PS3.18 §10.6)"),
            search(
                .searchForSeriesInstances, series + "/instances",
                "Search for the instances of a series (QIDO-RS, PS3.18 §10.6)"),
            retrieve(.retrieveStudy, study, "Retrieve a study's instances (WADO-RS, PS3.18 §10.4)", instanceTypes),
            retrieve(.retrieveSeries, series, "Retrieve a series' instances (WADO-RS, PS3.18 §10.4)", instanceTypes),
            retrieve(.retrieveInstance, instance, "Retrieve an instance (WADO-RS, PS3.18 §10.4)", instanceTypes),
            retrieve(
                .retrieveStudyMetadata, study + "/metadata", "Retrieve a study's metadata (WADO-RS, PS3.18 §10.4)",
                searchTypes),
            retrieve(
                .retrieveSeriesMetadata, series + "/metadata", "Retrieve a series' metadata (WADO-RS, PS3.18 §10.4)",
                searchTypes),
            retrieve(
                .retrieveInstanceMetadata, instance + "/metadata",
                "Retrieve an instance's metadata (WADO-RS, PS3.18 §10.4)",
                searchTypes),
            retrieve(
                .retrieveFrames, instance + "/frames/{frames}",
                "Retrieve frames, a comma-separated list of numbers from 1 (WADO-RS, PS3.18 §10.4)", frameTypes),
            retrieve(
                .retrievePixelData, instance + "/pixeldata",
                "Retrieve an instance's pixel data (WADO-RS, PS3.18 §10.4)",
                frameTypes),
            retrieve(
                .retrieveBulkData, instance + "/bulkdata/{reference}",
                "Retrieve a bulk data value named by a BulkDataURI (WADO-RS, PS3.18 §10.4); Range supported",
                ["application/octet-stream", #"multipart/related; type="application/octet-stream""#]),
            rendered(.retrieveRenderedStudy, study, "a study's images, one part per image instance", multipart: true),
            rendered(.retrieveRenderedSeries, series, "a series' images, one part per image instance", multipart: true),
            rendered(
                .retrieveRenderedInstance, instance,
                "an instance: its image (a GIF animation of a multi-frame one), PDF, CDA or video"),
            rendered(
                .retrieveRenderedFrames, instance + "/frames/{frames}", "frames, one part each when several",
                multipart: true),
            thumbnail(.retrieveStudyThumbnail, study, "a study: the middle image of its first series"),
            thumbnail(.retrieveSeriesThumbnail, series, "a series: its middle image instance"),
            thumbnail(.retrieveInstanceThumbnail, instance, "an instance: its middle frame"),
            thumbnail(.retrieveFramesThumbnail, instance + "/frames/{frames}", "a frame (the first listed)"),
            delete(.deleteStudy, study, "Delete a study (an extension: PS3.18 defines no delete transaction)"),
            delete(.deleteSeries, series, "Delete a series (an extension)"),
            delete(.deleteInstance, instance, "Delete an instance (an extension)"),
        ] + worklistRoutes + NonPatientCategory.allCases.flatMap(nonPatientRoutes)

    static let renderedTypes = ["image/jpeg", "image/png", "image/gif"]
    static let renderParameters = ["accept", "annotation", "quality", "viewport", "window", "iccprofile"]

    /// A rendered resource (PS3.18 §10.4.1.1.3, §8.3.5).
    static func rendered(
        _ transaction: Transaction, _ target: String, _ what: String, multipart: Bool = false
    ) -> RouteDescription {
        var types = renderedTypes
        if multipart { types += renderedTypes.map { #"multipart/related; type="\#($0)""# } }
        if transaction == .retrieveRenderedInstance {
            types += ["application/pdf", "text/xml", "video/mp4", "video/mpeg", "text/html", "text/plain"]
        } else if transaction == .retrieveRenderedStudy || transaction == .retrieveRenderedSeries {
            // A study or series of Structured Reports (no image): one text part per report.
            types += [#"multipart/related; type="text/html""#, #"multipart/related; type="text/plain""#]
        }
        return RouteDescription(
            method: .get, path: target + "/rendered", transaction: transaction,
            summary: "Retrieve rendered \(what) (WADO-RS, PS3.18 §10.4; parameters §8.3.5)", responseTypes: types,
            queryParameters: renderParameters)
    }

    /// A thumbnail resource (PS3.18 §10.4.1.1.4, §8.3.5.2).
    static func thumbnail(_ transaction: Transaction, _ target: String, _ what: String) -> RouteDescription {
        RouteDescription(
            method: .get, path: target + "/thumbnail", transaction: transaction,
            summary: "Retrieve a thumbnail of \(what) (WADO-RS, PS3.18 §10.4; viewport=vw,vh)",
            responseTypes: renderedTypes, queryParameters: ["accept", "viewport"])
    }

    /// The Non-Patient Instance Service of one category (PS3.18 §12, Table 12.3-1): Store at the category and
    /// at an instance, Search, Retrieve. Media types of Table 12.1.3-1.
    static func nonPatientRoutes(_ category: NonPatientCategory) -> [RouteDescription] {
        let name = category.rawValue
        let instance = name + "/{uid}"
        let retrieveTypes = searchTypes + [multipartDICOM, "application/dicom"]
        return [
            RouteDescription(
                method: .post, path: name, transaction: .storeNonPatientInstances,
                summary: "Store \(name) instances (PS3.18 §12.5)", requestTypes: storeRequestTypes,
                responseTypes: storeResponseTypes, successStatuses: [200, 202], category: category),
            RouteDescription(
                method: .get, path: name, transaction: .searchNonPatientInstances,
                summary: "Search for \(name) instances (PS3.18 §12.6)", responseTypes: searchTypes,
                queryParameters: searchParameters, matchingKeys: true, successStatuses: [200, 204], category: category),
            RouteDescription(
                method: .post, path: instance, transaction: .storeNonPatientInstance,
                summary: "Store one \(name) instance, whose SOP Instance UID must be `uid` (PS3.18 §12.5)",
                requestTypes: storeRequestTypes, responseTypes: storeResponseTypes, successStatuses: [200, 202],
                category: category),
            RouteDescription(
                method: .get, path: instance, transaction: .retrieveNonPatientInstance,
                summary: "Retrieve a \(name) instance (PS3.18 §12.4)", responseTypes: retrieveTypes,
                queryParameters: ["accept"], category: category),
        ]
    }

    static let workitem = "workitems/{workitem}"
    static let subscriber = workitem + "/subscribers/{aetitle}"
    static let workitemBodyTypes = [
        "application/dicom+json", "application/dicom+xml", #"multipart/related; type="application/dicom+xml""#,
    ]

    /// UPS-RS, the Worklist Service (PS3.18 §11).
    static let worklistRoutes: [RouteDescription] = [
        RouteDescription(
            method: .post, path: "workitems", transaction: .createWorkitem,
            summary: "Create a workitem (UPS-RS, PS3.18 §11.4); its UID in `workitem` or its SOPInstanceUID",
            requestTypes: workitemBodyTypes, responseTypes: [], queryParameters: ["workitem"], successStatuses: [201]),
        RouteDescription(
            method: .get, path: "workitems", transaction: .searchForWorkitems,
            summary: "Search for workitems (UPS-RS, PS3.18 §11.9)", responseTypes: searchTypes,
            queryParameters: searchParameters, matchingKeys: true, successStatuses: [200, 204]),
        RouteDescription(
            method: .get, path: workitem, transaction: .retrieveWorkitem,
            summary: "Retrieve a workitem (UPS-RS, PS3.18 §11.5)", responseTypes: searchTypes,
            queryParameters: ["accept"]),
        RouteDescription(
            method: .post, path: workitem, transaction: .updateWorkitem,
            summary: "Update a workitem (UPS-RS, PS3.18 §11.6); `transaction` = its Transaction UID when IN PROGRESS",
            requestTypes: workitemBodyTypes, responseTypes: [], queryParameters: ["transaction"]),
        RouteDescription(
            method: .put, path: workitem + "/state", transaction: .changeWorkitemState,
            summary: "Change a workitem's state with its Transaction UID (UPS-RS, PS3.18 §11.7)",
            requestTypes: workitemBodyTypes, responseTypes: []),
        RouteDescription(
            method: .post, path: workitem + "/cancelrequest", transaction: .requestWorkitemCancellation,
            summary: "Request the cancellation of a workitem (UPS-RS, PS3.18 §11.8)", requestTypes: workitemBodyTypes,
            responseTypes: [], successStatuses: [202]),
        RouteDescription(
            method: .post, path: subscriber, transaction: .createSubscription,
            summary:
                "Subscribe an AE to a workitem, or to the worklist with workitem 1.2.840.10008.5.1.4.34.5 (filtered: "
                + ".34.5.1 and `filter`) (UPS-RS, PS3.18 §11.10)",
            responseTypes: [], queryParameters: ["deletionlock", "filter"], successStatuses: [201]),
        RouteDescription(
            method: .delete, path: subscriber, transaction: .deleteSubscription,
            summary: "Unsubscribe an AE (UPS-RS, PS3.18 §11.11)", responseTypes: []),
        RouteDescription(
            method: .post, path: subscriber + "/suspend", transaction: .suspendGlobalSubscription,
            summary: "Suspend a global subscription (UPS-RS, PS3.18 §11.12)", responseTypes: []),
        RouteDescription(
            method: .get, path: "subscribers/{aetitle}", transaction: .openEventChannel,
            summary:
                "Open an AE's event channel: a WebSocket delivering its event reports as DICOM JSON, queued while it "
                + "is away (UPS-RS, PS3.18 §11.13, §8.10.4); without the upgrade, 426",
            responseTypes: [], successStatuses: [101]),
    ]

    static func search(_ transaction: Transaction, _ path: String, _ summary: String) -> RouteDescription {
        RouteDescription(
            method: .get, path: path, transaction: transaction, summary: summary, responseTypes: searchTypes,
            queryParameters: searchParameters, matchingKeys: true, successStatuses: [200, 204])
    }

    static func retrieve(
        _ transaction: Transaction, _ path: String, _ summary: String, _ types: [String]
    )
        -> RouteDescription
    {
        RouteDescription(
            method: .get, path: path, transaction: transaction, summary: summary, responseTypes: types,
            queryParameters: ["accept"], successStatuses: transaction == .retrieveBulkData ? [200, 206] : [200])
    }

    static func delete(_ transaction: Transaction, _ path: String, _ summary: String) -> RouteDescription {
        RouteDescription(
            method: .delete, path: path, transaction: transaction, summary: summary, responseTypes: [],
            successStatuses: [204])
    }

    /// The resource paths, each once, in route order.
    static var paths: [String] {
        var seen = Set<String>()
        return routes.map(\.path).filter { seen.insert($0).inserted }
    }

    /// The methods `Allow`ed at `path` (always with OPTIONS).
    static func methods(at path: String) -> [String] {
        routes.filter { $0.path == path }.map(\.method.rawValue) + ["OPTIONS"]
    }
}
