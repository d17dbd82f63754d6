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
        let result = try await index.search(query, limit: limit) { query.matches($0) }
        let base = request.serviceBase(configuration)
        let wanted = Self.wantedTags(query)
        // Type 2 return keys the stored entity has no value for are returned zero-length (PS3.18 §10.6.3.3).
        let typeTwo = QIDOReturnAttributes.typeTwo(for: query.scope)
        let returned = result.matches.map { match in
            Self.returnedAttributes(match, wanted: wanted, base: base).addingEmpty(typeTwo)
        }
        var headers: HTTPFields = [:]
        if result.hasMore && (query.limit == nil || query.limit! > configuration.maxResults) {
            headers = .moreResults
        }
        return DataSetListResponse.response(returned, offerIndex: negotiated.offerIndex, headers: headers)
    }

    /// The tags a match returns (§10.6.3.3): the defaults of the scope, the `includefield` ones, the matching
    /// keys and Specific Character Set; `nil` for `includefield=all` (every stored attribute).
    static func wantedTags(_ query: QIDOQuery) -> Set<Tag>? {
        if query.returnsAllAttributes { return nil }
        var wanted = Set(query.returnAttributes.map { $0.tags[0] })
        for key in query.keys { wanted.insert(key.path.tags[0]) }
        wanted.insert(.specificCharacterSet)
        wanted.insert(Tag(0x0008_1190))
        return wanted
    }

    /// The attributes a match returns: the `wanted` ones (``wantedTags(_:)``) plus RetrieveURL.
    static func returnedAttributes(_ match: SearchMatch, wanted: Set<Tag>?, base: String) -> DataSet {
        // Percent-encoded path segments (RFC 3986 §2.1): the same for valid UIDs, one segment for anything else.
        var url = "\(base)/studies/\(PercentEncoding.encode(match.studyUID))"
        if let series = match.seriesUID { url += "/series/\(PercentEncoding.encode(series))" }
        if let sop = match.sopInstanceUID { url += "/instances/\(PercentEncoding.encode(sop))" }
        return match.attributes.returned(wanted, retrieveURL: url)
    }
}
