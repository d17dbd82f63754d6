import Archive
import DICOMBinary
import DICOMCore
import DICOMJSON
import DICOMXML
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// QIDO-RS (PS3.18 §10.6): search for studies, series and instances.
///
/// Results come in storage order; `limit` and `offset` page through them (§8.3.4.4). When more matches
/// exist than the server's maximum allows in one response, the response carries
/// `Warning: 299 {host}: "The number of results exceeded the maximum supported by the server. Additional
/// results can be requested."`.
struct QidoController {
    let index: any IndexStore
    let configuration: ServerConfiguration

    static let offers = DataSetListResponse.offers

    func handle(_ request: Request, scope: QIDOScope) async throws -> Response {
        let query: QIDOQuery
        do {
            let items = try QIDOQueryString.decode(request.uri.query ?? "")
            query = try QIDOQuery.parse(queryItems: items, scope: scope)
        } catch {
            throw DICOMwebError(.badRequest, "\(error)")
        }
        let negotiated: NegotiatedRepresentation
        do {
            negotiated = try ContentNegotiation.negotiate(request.acceptHeader, offers: Self.offers)
        } catch { throw DICOMwebError(error) }
        let limit = min(query.limit ?? configuration.maxResults, configuration.maxResults)
        let result = try await QueryService(index: index).search(query, limit: limit)
        let projection = QueryProjection(query, serviceBase: request.serviceBase(configuration))
        let returned = result.matches.map(projection.returned)
        var headers: HTTPFields = [:]
        if result.hasMore && (query.limit == nil || query.limit! > configuration.maxResults) {
            headers = .moreResults
        }
        return DataSetListResponse.response(returned, offerIndex: negotiated.offerIndex, headers: headers)
    }
}
