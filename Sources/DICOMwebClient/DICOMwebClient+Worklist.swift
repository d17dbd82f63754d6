import AsyncHTTPClient
import DICOMCore
import DICOMDictionary
import DICOMJSON
import DICOMweb
import NIOCore
import NIOHTTP1

/// What a UPS-RS request answered: its `Warning` texts and, for a creation, the workitem's UID.
public struct WorklistReply: Sendable {
    /// The workitem addressed or created.
    public var uid: String
    /// The server's `Warning` header values.
    public var warnings: [String]
}

/// UPS-RS, the Worklist Service (PS3.18 §11): bodies are DICOM JSON arrays of one data set.
extension DICOMwebClient {
    /// The Worklist UID that names a global subscription (PS3.4 §CC.2.3.1).
    public static let globalSubscription = WorklistResources.globalSubscriptionUID
    /// The Filtered Worklist UID.
    public static let filteredSubscription = WorklistResources.filteredSubscriptionUID

    func worklist(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: DataSet? = nil,
        accept: String? = nil, accepting: @escaping (Int) -> Bool = { (200..<300).contains($0) }
    ) async throws -> (HTTPClientResponse, [String]) {
        var request = self.request(url(path, query: query), method: method, accept: accept)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/dicom+json")
            request.body = .bytes(ByteBuffer(string: "[" + DICOMJSONEncoder.encode(body) + "]"))
        }
        let response = try await send(request, accepting: accepting)
        return (response, response.headers["Warning"])
    }

    /// CreateWorkitem (§11.4); the server makes a UID when `uid` is `nil`.
    public func createWorkitem(_ dataSet: DataSet, uid: String? = nil) async throws -> WorklistReply {
        let (response, warnings) = try await worklist(
            .POST, "workitems", query: uid.map { [("workitem", $0)] } ?? [], body: dataSet)
        _ = try? await response.body.collect(upTo: 1 << 20)
        let location = response.headers["Location"].first ?? ""
        let created = uid ?? String(location.split(separator: "/").last ?? "")
        return WorklistReply(uid: created, warnings: warnings)
    }

    /// SearchForWorkitems (§11.9) with QIDO-RS matching keys.
    public func searchWorkitems(_ matches: [(String, String)], limit: Int? = nil) async throws -> [DataSet] {
        var query = matches
        if let limit { query.append(("limit", String(limit))) }
        let (response, _) = try await worklist(.GET, "workitems", query: query, accept: "application/dicom+json")
        let body = try await response.body.collect(upTo: 256 << 20)
        guard response.status.code != 204, body.readableBytes > 0 else { return [] }
        return try DICOMJSONDecoder.decodeArray(Array(body.readableBytesView))
    }

    /// RetrieveWorkitem (§11.5).
    public func retrieveWorkitem(_ uid: String) async throws -> DataSet {
        let (response, _) = try await worklist(.GET, "workitems/\(uid)", accept: "application/dicom+json")
        let body = try await response.body.collect(upTo: 64 << 20)
        guard let first = try DICOMJSONDecoder.decodeArray(Array(body.readableBytesView)).first else {
            throw DICOMwebClientError("the server returned no workitem \(uid)")
        }
        return first
    }

    /// UpdateWorkitem (§11.6); `transactionUID` for an IN PROGRESS workitem.
    public func updateWorkitem(_ uid: String, _ changes: DataSet, transactionUID: String?) async throws -> WorklistReply
    {
        let (response, warnings) = try await worklist(
            .POST, "workitems/\(uid)", query: transactionUID.map { [("transaction", $0)] } ?? [], body: changes)
        _ = try? await response.body.collect(upTo: 1 << 20)
        return WorklistReply(uid: uid, warnings: warnings)
    }

    /// ChangeWorkitemState (§11.7): `state` is IN PROGRESS, COMPLETED or CANCELED.
    public func changeWorkitemState(
        _ uid: String, to state: String, transactionUID: String
    ) async throws
        -> WorklistReply
    {
        let body = DataSet([
            .text(Tag.procedureStepState, .CS, state),
            .text(Tag.transactionUID, .UI, transactionUID),
        ])
        let (response, warnings) = try await worklist(.PUT, "workitems/\(uid)/state", body: body)
        _ = try? await response.body.collect(upTo: 1 << 20)
        return WorklistReply(uid: uid, warnings: warnings)
    }

    /// RequestCancellation (§11.8), with an optional reason.
    public func requestWorkitemCancellation(_ uid: String, reason: String?) async throws -> WorklistReply {
        let body = reason.map { DataSet([.text(Tag.reasonForCancellation, .LT, $0)]) }
        let (response, warnings) = try await worklist(.POST, "workitems/\(uid)/cancelrequest", body: body)
        _ = try? await response.body.collect(upTo: 1 << 20)
        return WorklistReply(uid: uid, warnings: warnings)
    }

    /// CreateSubscription (§11.10) of `aeTitle` to a workitem or (``globalSubscription``,
    /// ``filteredSubscription`` with `filter`) to the worklist. Returns the event channel URL.
    public func subscribe(
        _ aeTitle: String, to workitem: String, deletionLock: Bool = false, filter: String? = nil
    ) async throws -> String {
        var query: [(String, String)] = []
        if deletionLock { query.append(("deletionlock", "true")) }
        if let filter { query.append(("filter", filter)) }
        let (response, _) = try await worklist(
            .POST, "workitems/\(workitem)/subscribers/\(PercentEncoding.encode(aeTitle))", query: query)
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.headers["Content-Location"].first ?? eventChannelURL(aeTitle)
    }

    /// DeleteSubscription (§11.11).
    public func unsubscribe(_ aeTitle: String, from workitem: String) async throws {
        let (response, _) = try await worklist(
            .DELETE, "workitems/\(workitem)/subscribers/\(PercentEncoding.encode(aeTitle))")
        _ = try? await response.body.collect(upTo: 1 << 20)
    }

    /// The event channel of `aeTitle` (§11.13).
    public func eventChannelURL(_ aeTitle: String) -> String {
        WorklistResources.eventChannelURL(serviceRoot: configuration.serviceRoot, aeTitle: aeTitle)
    }
}
