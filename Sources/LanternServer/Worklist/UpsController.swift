import Archive
import DICOMCore
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// UPS-RS, the Worklist Service (PS3.18 §11): the HTTP side of ``WorklistService``. Bodies and responses are
/// DICOM JSON or the native XML model (§11.1.3); failures map to statuses with the `Warning: 299` texts of the
/// standard (``UPSError``).
struct UpsController {
    let worklist: WorklistService
    let configuration: ServerConfiguration

    /// CreateWorkitem (§11.4): `POST /workitems{?workitem}`; the UID may also come as `AffectedSOPInstanceUID=`
    /// (editions before 2019) or as the bare query (`?1.2.3`).
    func create(_ request: Request) async throws -> Response {
        let items = try queryItems(request)
        let uid = try single(items, names: ["workitem", "AffectedSOPInstanceUID"], bareUID: true)
        let dataSet = try await UPSRequestBody.read(request)
        let result = try await worklist.create(dataSet, uid: uid)
        let location = "\(request.serviceBase(configuration))/workitems/\(result.uid)"
        var headers = HTTPFields.warnings(result.warnings)
        headers[.location] = location
        headers[.contentLocation] = location
        return Response(status: .created, headers: headers)
    }

    /// RetrieveWorkitem (§11.5).
    func retrieve(_ request: Request, uid: String) async throws -> Response {
        let offer = try negotiate(request)
        let dataSet = try await worklist.retrieve(uid)
        return DataSetListResponse.response([dataSet], offerIndex: offer)
    }

    /// UpdateWorkitem (§11.6): `POST /workitems/{uid}{?transaction}`; the Transaction UID may also be the bare
    /// query or, as in N-SET, in the body.
    func update(_ request: Request, uid: String) async throws -> Response {
        let items = try queryItems(request)
        let transaction = try single(items, names: ["transaction", "TransactionUID"], bareUID: true)
        let changes = try await UPSRequestBody.read(request)
        let result = try await worklist.update(uid, changes: changes, transactionUID: transaction)
        return Response(status: .ok, headers: HTTPFields.warnings(result.warnings))
    }

    /// ChangeWorkitemState (§11.7): `PUT /workitems/{uid}/state` with Procedure Step State and Transaction UID.
    func changeState(_ request: Request, uid: String) async throws -> Response {
        let result = try await worklist.changeState(uid, request: try await UPSRequestBody.read(request))
        return Response(status: .ok, headers: HTTPFields.warnings(result.warnings))
    }

    /// RequestWorkitemCancellation (§11.8): 202 when accepted. HTTP carries no calling AE Title, so the
    /// Requesting AE of the event is this server's (it relays the request, as a DIMSE proxy would).
    func requestCancellation(_ request: Request, uid: String) async throws -> Response {
        let body = try await UPSRequestBody.read(request, optional: true)
        let result = try await worklist.requestCancellation(uid, request: body, requestingAE: configuration.aeTitle)
        return Response(status: .accepted, headers: HTTPFields.warnings(result.warnings))
    }

    /// SearchForWorkitems (§11.9): QIDO-RS parameters and matching; every attribute of a match but its
    /// Transaction UID is returned (a superset of the Type 1 and 2 return keys Table CC.2.5-3 asks for),
    /// or those of `includefield` and the keys. 204 when nothing matches.
    func search(_ request: Request) async throws -> Response {
        try await FlatSearch.respond(request, configuration: configuration) { query, limit in
            try await worklist.search(query, limit: limit)
        }
    }

    /// CreateSubscription (§11.10): `POST /workitems/{uid}/subscribers/{aetitle}{?deletionlock,filter}`; the
    /// filter of the Filtered Worklist may also be given as matching keys in the query.
    func subscribe(_ request: Request, uid: String, aeTitle: String) async throws -> Response {
        var items = try queryItems(request)
        var deletionLock = false
        if let lock = try single(items, names: ["deletionlock"], bareUID: false) {
            guard lock == "true" || lock == "false" else {
                throw DICOMwebError(.badRequest, "deletionlock is true or false (PS3.18 §11.10.1).")
            }
            deletionLock = lock == "true"
        }
        items.removeAll { $0.0 == "deletionlock" }
        var filter = items.first { $0.0 == "filter" }?.1
        items.removeAll { $0.0 == "filter" }
        if !items.isEmpty {
            let keys = items.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            filter = filter.map { $0 + "," + keys } ?? keys
        }
        let target = try WorklistService.target(uid, filter: filter)
        try await worklist.subscribe(aeTitle, to: target, deletionLock: deletionLock)
        var headers: HTTPFields = [:]
        headers[.contentLocation] = eventChannelURL(request, aeTitle: aeTitle)
        return Response(status: .created, headers: headers)
    }

    /// DeleteSubscription (§11.11).
    func unsubscribe(_ request: Request, uid: String, aeTitle: String) async throws -> Response {
        try await worklist.unsubscribe(aeTitle, from: UPSSubscription.Target(resource: uid))
        return Response(status: .ok)
    }

    /// SuspendGlobalSubscription (§11.12), on the Worklist or Filtered Worklist UID only.
    func suspend(_ request: Request, uid: String, aeTitle: String) async throws -> Response {
        let target = UPSSubscription.Target(resource: uid)
        if case .workitem = target {
            throw DICOMwebError(
                .badRequest, "Only a global subscription (\(UPSTag.globalSubscriptionUID)) is suspended.")
        }
        try await worklist.suspend(aeTitle, target)
        return Response(status: .ok)
    }

    /// OpenEventChannel (§11.13, §8.10.4) without the WebSocket upgrade: 426 Upgrade Required.
    func eventChannelWithoutUpgrade(_ request: Request) throws -> Response {
        var headers: HTTPFields = [:]
        headers[.upgrade] = "websocket"
        headers[.connection] = "Upgrade"
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(
            status: .upgradeRequired, headers: headers,
            body: .init(
                byteBuffer: ByteBuffer(string: "The event channel is a WebSocket (RFC 6455): ask for an upgrade.\n")))
    }

    // MARK: Helpers

    /// The `ws:` (or `wss:`) URL of the event channel of `aeTitle` (PS3.18 §11.10.3: Content-Location).
    func eventChannelURL(_ request: Request, aeTitle: String) -> String {
        WorklistResources.eventChannelURL(serviceRoot: request.serviceBase(configuration), aeTitle: aeTitle)
    }

    func negotiate(_ request: Request) throws -> Int {
        do {
            return try ContentNegotiation.negotiate(request.acceptHeader, offers: DataSetListResponse.singleOffers)
                .offerIndex
        } catch { throw DICOMwebError(error) }
    }

    func queryItems(_ request: Request) throws -> [(String, String)] {
        do {
            return try QIDOQueryString.decode(request.uri.query ?? "").filter { $0.0 != "accept" && $0.0 != "charset" }
        } catch { throw DICOMwebError(.badRequest, "\(error)") }
    }

    /// The one value of the parameters `names`; with `bareUID`, a query that is only a UID counts too.
    func single(_ items: [(String, String)], names: [String], bareUID: Bool) throws -> String? {
        var values = items.filter { names.contains($0.0) }.map(\.1)
        if bareUID {
            values += items.filter { $0.1.isEmpty && QIDOValueSyntax.isValidUID($0.0) }.map(\.0)
        }
        guard values.count <= 1 else {
            throw DICOMwebError(.badRequest, "\(names[0]) is given more than once.")
        }
        return values.first
    }
}
