import Archive
import DICOMCore
import DICOMweb
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The resources of the DICOMweb service root (PS3.18 §10.4–10.6), the DELETE extension and the
/// capabilities (`OPTIONS`), registered from ``ServiceDescription``.
struct Routes {
    let stow: StowController
    let qido: QidoController
    let wado: WadoController
    let rendered: RenderedController
    let store: StoreService
    let ups: UpsController
    let nonPatient: NonPatientController

    let configuration: ServerConfiguration

    /// Registers every route of ``ServiceDescription/routes``, and `OPTIONS` (the capabilities, PS3.18 §8.9)
    /// on the service root and on every resource.
    func register(on group: RouterGroup<LanternRequestContext>) {
        for route in ServiceDescription.routes {
            let transaction = route.transaction
            let category = route.category
            group.on(RouterPath(route.routerPath), method: route.method) { request, context in
                // Before anything is read: a refused STOW never gets its `100 Continue`.
                try Authorization.require(transaction.permission, context.identity)
                do {
                    return try await handle(transaction, category, request, context)
                } catch let error where (httpError(error) as? DICOMwebError)?.status == .notFound {
                    // Nothing is stored there: a path UID that is not a UID explains why better than a 404.
                    // (Checked only now, so that anything stored under such a UID stays reachable.)
                    if let (name, value) = Self.invalidUID(in: context) {
                        throw DICOMwebError(
                            .badRequest,
                            "the \(name) UID in the path is not a valid UID (PS3.5 §9.1): \(value.prefix(70))")
                    }
                    throw error
                }
            }
        }
        for path in [""] + ServiceDescription.paths {
            let routerPath = path.isEmpty ? "" : RouteDescription.routerPath(path)
            group.on(RouterPath(routerPath), method: .options) { request, context in
                try Authorization.require(.read, context.identity)
                return try Capabilities.options(request, target: path, configuration: configuration)
            }
            registerMethodNotAllowed(at: path, on: group)
        }
    }

    /// The first path parameter that should hold a UID and does not, with its name.
    static func invalidUID(in context: LanternRequestContext) -> (String, String)? {
        for name in ["study", "series", "instance", "workitem", "uid"] {
            if let value = context.parameters.get(name), !UIDValidation.isValid(value) { return (name, value) }
        }
        return nil
    }

    /// A known resource asked with a method it does not serve: 405 with the `Allow` header (RFC 9110 §15.5.6),
    /// rather than the 404 of an unknown resource.
    private func registerMethodNotAllowed(at path: String, on group: RouterGroup<LanternRequestContext>) {
        var allowed = ServiceDescription.methods(at: path)
        if allowed.contains("GET") { allowed.insert("HEAD", at: allowed.firstIndex(of: "GET")! + 1) }
        let allow = allowed.joined(separator: ", ")
        let routerPath = path.isEmpty ? "" : RouteDescription.routerPath(path)
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        for method in methods where !allowed.contains(method.rawValue) {
            group.on(RouterPath(routerPath), method: method) { request, _ in
                var headers = HTTPFields()
                headers[.allow] = allow
                headers[.contentType] = "text/plain; charset=utf-8"
                let text = "\(request.method.rawValue) is not allowed on this resource; allowed: \(allow)\n"
                return Response(
                    status: .methodNotAllowed, headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
        }
    }

    /// Runs one transaction; the switch is exhaustive, so every transaction of the table has a handler.
    private func handle(
        _ transaction: Transaction, _ category: NonPatientCategory?, _ request: Request,
        _ context: LanternRequestContext
    )
        async throws -> Response
    {
        switch transaction {
        case .storeInstances: return try await stow.handle(request, target: .studies(study: nil))
        case .storeStudyInstances:
            return try await stow.handle(request, target: .studies(study: try targetUID(context, "study")))
        case .searchForStudies: return try await qido.handle(request, scope: .allStudies)
        case .searchForSeries: return try await qido.handle(request, scope: .allSeries)
        case .searchForInstances: return try await qido.handle(request, scope: .allInstances)
        case .searchForStudySeries:
            return try await qido.handle(request, scope: .seriesInStudy(study: try context.parameters.require("study")))
        case .searchForStudyInstances:
            return try await qido.handle(
                request, scope: .instancesInStudy(study: try context.parameters.require("study")))
        case .searchForSeriesInstances:
            return try await qido.handle(
                request,
                scope: .instancesInSeries(
                    study: try context.parameters.require("study"), series: try context.parameters.require("series")))
        case .retrieveStudy: return try await wado.instances(request, try study(context))
        case .retrieveSeries: return try await wado.instances(request, try series(context))
        case .retrieveInstance: return try await wado.instances(request, try instance(context))
        case .retrieveStudyMetadata: return try await wado.metadata(request, try study(context))
        case .retrieveSeriesMetadata: return try await wado.metadata(request, try series(context))
        case .retrieveInstanceMetadata: return try await wado.metadata(request, try instance(context))
        case .retrieveFrames:
            return try await wado.frames(request, try instance(context), list: try context.parameters.require("frames"))
        case .retrievePixelData: return try await wado.frames(request, try instance(context), list: nil)
        case .retrieveBulkData:
            return try await wado.bulkData(
                request, try instance(context), reference: try context.parameters.require("reference"))
        case .retrieveRenderedStudy: return try await rendered.rendered(request, try study(context))
        case .retrieveRenderedSeries: return try await rendered.rendered(request, try series(context))
        case .retrieveRenderedInstance: return try await rendered.rendered(request, try instance(context))
        case .retrieveRenderedFrames:
            return try await rendered.rendered(
                request, try instance(context), frames: try context.parameters.require("frames"))
        case .retrieveStudyThumbnail: return try await rendered.thumbnail(request, try study(context))
        case .retrieveSeriesThumbnail: return try await rendered.thumbnail(request, try series(context))
        case .retrieveInstanceThumbnail: return try await rendered.thumbnail(request, try instance(context))
        case .retrieveFramesThumbnail:
            return try await rendered.thumbnail(
                request, try instance(context), frames: try context.parameters.require("frames"))
        case .deleteStudy: return try await delete(try study(context))
        case .deleteSeries: return try await delete(try series(context))
        case .deleteInstance: return try await delete(try instance(context))
        case .createWorkitem: return try await ups.create(request)
        case .searchForWorkitems: return try await ups.search(request)
        case .retrieveWorkitem: return try await ups.retrieve(request, uid: try workitem(context))
        case .updateWorkitem: return try await ups.update(request, uid: try workitem(context))
        case .changeWorkitemState: return try await ups.changeState(request, uid: try workitem(context))
        case .requestWorkitemCancellation: return try await ups.requestCancellation(request, uid: try workitem(context))
        case .createSubscription:
            return try await ups.subscribe(request, uid: try workitem(context), aeTitle: try aeTitle(context))
        case .deleteSubscription:
            return try await ups.unsubscribe(request, uid: try workitem(context), aeTitle: try aeTitle(context))
        case .suspendGlobalSubscription:
            return try await ups.suspend(request, uid: try workitem(context), aeTitle: try aeTitle(context))
        case .openEventChannel:
            _ = try aeTitle(context)
            return try ups.eventChannelWithoutUpgrade(request)
        case .storeNonPatientInstances:
            return try await stow.handle(request, target: .nonPatient(try described(category), uid: nil))
        case .storeNonPatientInstance:
            let uid = try targetUID(context, "uid")
            return try await stow.handle(request, target: .nonPatient(try described(category), uid: uid))
        case .searchNonPatientInstances: return try await nonPatient.search(request, try described(category))
        case .retrieveNonPatientInstance:
            return try await nonPatient.retrieve(
                request, try described(category), uid: try context.parameters.require("uid"))
        }
    }

    /// The category a non-patient route is described with (always set for those routes).
    private func described(_ category: NonPatientCategory?) throws -> NonPatientCategory {
        guard let category else { throw DICOMwebError(.internalServerError, "a non-patient route without category") }
        return category
    }

    private func delete(_ selection: InstanceSelection) async throws -> Response {
        try await store.delete(selection)
        return Response(status: .noContent)
    }

    private func workitem(_ context: LanternRequestContext) throws -> String {
        try context.parameters.require("workitem")
    }

    /// The AE Title of the path, percent-decoded (it may hold spaces) and without insignificant spaces;
    /// 400 when it is not a valid AE Title (PS3.5 Table 6.2-1).
    private func aeTitle(_ context: LanternRequestContext) throws -> String {
        let raw = try context.parameters.require("aetitle")
        guard let ae = WorklistService.aeTitle(raw.removingPercentEncoding ?? raw) else {
            throw DICOMwebError(.badRequest, "The path does not name a valid AE Title (PS3.5 Table 6.2-1).")
        }
        return ae
    }

    /// The UID of a path component that names where to store: percent-decoded, and 400 when it is not a valid
    /// UID (PS3.5 §9.1), since nothing stored under it could be addressed.
    private func targetUID(_ context: LanternRequestContext, _ name: String) throws -> String {
        let uid = try pathUID(context, name)
        if let problem = UIDValidation.problem(uid) {
            throw DICOMwebError(.badRequest, "The \(name) UID of the path is not a valid UID (PS3.5 §9.1): \(problem).")
        }
        return uid
    }

    /// A UID path component, percent-decoded (RetrieveURLs are percent-encoded). Not checked: whatever an
    /// earlier version stored under a UID that breaks PS3.5 §9.1 stays retrievable and deletable.
    private func pathUID(_ context: LanternRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    private func study(_ context: LanternRequestContext) throws -> InstanceSelection {
        .study(try pathUID(context, "study"))
    }

    private func series(_ context: LanternRequestContext) throws -> InstanceSelection {
        .series(study: try pathUID(context, "study"), series: try pathUID(context, "series"))
    }

    private func instance(_ context: LanternRequestContext) throws -> InstanceSelection {
        .instance(
            study: try pathUID(context, "study"), series: try pathUID(context, "series"),
            sop: try pathUID(context, "instance"))
    }
}
