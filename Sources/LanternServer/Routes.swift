import Archive
import DICOMweb
import Foundation
import HTTPTypes
import Hummingbird

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
                try await handle(transaction, category, request, context)
            }
        }
        for path in [""] + ServiceDescription.paths {
            let routerPath = path.isEmpty ? "" : RouteDescription.routerPath(path)
            group.on(RouterPath(routerPath), method: .options) { request, context in
                try Capabilities.options(request, target: path, configuration: configuration)
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
            return try await stow.handle(request, target: .studies(study: try context.parameters.require("study")))
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
            let uid = try context.parameters.require("uid")
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

    private func study(_ context: LanternRequestContext) throws -> InstanceSelection {
        .study(try context.parameters.require("study"))
    }

    private func series(_ context: LanternRequestContext) throws -> InstanceSelection {
        .series(study: try context.parameters.require("study"), series: try context.parameters.require("series"))
    }

    private func instance(_ context: LanternRequestContext) throws -> InstanceSelection {
        .instance(
            study: try context.parameters.require("study"), series: try context.parameters.require("series"),
            sop: try context.parameters.require("instance"))
    }
}
