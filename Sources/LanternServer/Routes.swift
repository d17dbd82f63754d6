import Archive
import DICOMweb
import HTTPTypes
import Hummingbird

/// The resources of the DICOMweb service root (PS3.18 §10.4–10.6) and the DELETE extension.
struct Routes {
    let stow: StowController
    let qido: QidoController
    let wado: WadoController
    let store: StoreService

    func register(on group: RouterGroup<LanternRequestContext>) {
        // STOW-RS
        group.post("studies") { request, _ in try await stow.handle(request, study: nil) }
        group.post("studies/:study") { request, context in
            try await stow.handle(request, study: try context.parameters.require("study"))
        }
        // QIDO-RS
        group.get("studies") { request, _ in try await qido.handle(request, scope: .allStudies) }
        group.get("series") { request, _ in try await qido.handle(request, scope: .allSeries) }
        group.get("instances") { request, _ in try await qido.handle(request, scope: .allInstances) }
        group.get("studies/:study/series") { request, context in
            try await qido.handle(request, scope: .seriesInStudy(study: try context.parameters.require("study")))
        }
        group.get("studies/:study/instances") { request, context in
            try await qido.handle(request, scope: .instancesInStudy(study: try context.parameters.require("study")))
        }
        group.get("studies/:study/series/:series/instances") { request, context in
            try await qido.handle(
                request,
                scope: .instancesInSeries(
                    study: try context.parameters.require("study"), series: try context.parameters.require("series")))
        }
        // WADO-RS
        group.get("studies/:study") { request, context in try await wado.instances(request, try study(context)) }
        group.get("studies/:study/series/:series") { request, context in
            try await wado.instances(request, try series(context))
        }
        group.get("studies/:study/series/:series/instances/:instance") { request, context in
            try await wado.instances(request, try instance(context))
        }
        group.get("studies/:study/metadata") { request, context in try await wado.metadata(request, try study(context))
        }
        group.get("studies/:study/series/:series/metadata") { request, context in
            try await wado.metadata(request, try series(context))
        }
        group.get("studies/:study/series/:series/instances/:instance/metadata") { request, context in
            try await wado.metadata(request, try instance(context))
        }
        group.get("studies/:study/series/:series/instances/:instance/frames/:frames") { request, context in
            try await wado.frames(request, try instance(context), list: try context.parameters.require("frames"))
        }
        group.get("studies/:study/series/:series/instances/:instance/pixeldata") { request, context in
            try await wado.frames(request, try instance(context), list: nil)
        }
        group.get("studies/:study/series/:series/instances/:instance/bulkdata/:reference") { request, context in
            try await wado.bulkData(
                request, try instance(context), reference: try context.parameters.require("reference"))
        }
        // DELETE (an extension: PS3.18 defines no delete transaction)
        group.delete("studies/:study") { _, context in try await delete(try study(context)) }
        group.delete("studies/:study/series/:series") { _, context in try await delete(try series(context)) }
        group.delete("studies/:study/series/:series/instances/:instance") { _, context in
            try await delete(try instance(context))
        }
    }

    private func delete(_ selection: InstanceSelection) async throws -> Response {
        try await store.delete(selection)
        return Response(status: .noContent)
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
