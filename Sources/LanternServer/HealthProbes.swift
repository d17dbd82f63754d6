import Archive
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The liveness and readiness probes beside the DICOMweb root (for load balancers, Kubernetes, systemd
/// watchdogs): `GET /healthz` answers `200 ok` while the server answers at all; `GET /readyz` answers `200` when
/// the index and the blob store answer and the free-space reserve holds (``HealthService``), `503` otherwise,
/// with a JSON body naming each check and what was found. Neither holds patient data; both pass the one
/// middleware chain (CORS, request log).
struct HealthProbes {
    let health: HealthService

    func register(on router: Router<LanternRequestContext>) {
        router.get("healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, _ in await readiness() }
    }

    func readiness() async -> Response {
        let checks = await health.readiness()
        let ready = checks.allSatisfy(\.passed)
        var document: [String: Any] = ["status": ready ? "ready" : "not ready"]
        document["checks"] = Dictionary(
            uniqueKeysWithValues: checks.map { ($0.name, ["passed": $0.passed, "detail": $0.detail] as [String: Any]) })
        return JSONResponse.make(document, status: ready ? .ok : .serviceUnavailable)
    }
}
