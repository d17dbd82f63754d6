import Archive
import DICOMCore
import DICOMweb
import HTTPTypes
import Hummingbird

/// The HTTP side of the searches of single-level models, SearchForWorkitems (PS3.18 §11.9) and the
/// non-patient Search (§12.6): the QIDO-RS parameters (400 when invalid), content negotiation, the server's
/// result cap, 204 when nothing matches (§8.3.4.4.1), `Warning: 299 … There are N additional results that can
/// be requested.` when more match than were returned.
enum FlatSearch {
    static func respond(
        _ request: Request, configuration: ServerConfiguration,
        search: (QIDOFlatQuery, Int) async throws -> SearchPage<DataSet>,
        project: (QIDOFlatQuery) -> (DataSet) -> DataSet = { _ in { $0 } }
    ) async throws -> Response {
        let query: QIDOFlatQuery
        do {
            query = try QIDOFlatQuery.parse(queryItems: try QIDOQueryString.decode(request.uri.query ?? ""))
        } catch {
            throw DICOMwebError(.badRequest, "\(error)")
        }
        let offer: Int
        do {
            offer = try ContentNegotiation.negotiate(request.acceptHeader, offers: DataSetListResponse.offers)
                .offerIndex
        } catch { throw DICOMwebError(error) }
        let page = try await search(query, min(query.limit ?? configuration.maxResults, configuration.maxResults))
        guard !page.matches.isEmpty else { return Response(status: .noContent) }
        let headers: HTTPFields =
            page.remaining > 0
            ? .warnings(["There are \(page.remaining) additional results that can be requested."]) : [:]
        return DataSetListResponse.response(page.matches.map(project(query)), offerIndex: offer, headers: headers)
    }
}
