import AsyncHTTPClient
import DICOMCore
import DICOMJSON
import NIOCore

/// The QIDO-RS resources (PS3.18 §10.6): all studies, series or instances, or those of one study or series.
public enum SearchLevel: String, Sendable, CaseIterable {
    /// `{root}/studies`.
    case studies
    /// `{root}/series` or `{root}/studies/{study}/series`.
    case series
    /// `{root}/instances`, `…/studies/{study}/instances` or `…/studies/{study}/series/{series}/instances`.
    case instances
}

/// A QIDO-RS search: matching keys, return keys, paging (PS3.18 §8.3.4).
public struct SearchQuery: Sendable {
    /// The level searched.
    public var level: SearchLevel
    /// Limits the search to one study.
    public var studyUID: String?
    /// Limits the search to one series (needs ``studyUID``).
    public var seriesUID: String?
    /// Matching keys as `attribute=value` pairs; the attribute is a keyword, a tag (`GGGGEEEE`) or a
    /// sequence path (`A.B`), as PS3.18 §8.3.4.1 defines.
    public var matches: [(String, String)]
    /// Attributes to return besides the defaults, or `all`.
    public var includeFields: [String]
    /// The most results returned.
    public var limit: Int?
    /// Results skipped.
    public var offset: Int?
    /// Fuzzy matching of person names (`fuzzymatching=true`).
    public var fuzzyMatching: Bool

    /// Creates a query.
    public init(
        level: SearchLevel, studyUID: String? = nil, seriesUID: String? = nil, matches: [(String, String)] = [],
        includeFields: [String] = [], limit: Int? = nil, offset: Int? = nil, fuzzyMatching: Bool = false
    ) {
        self.level = level
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.matches = matches
        self.includeFields = includeFields
        self.limit = limit
        self.offset = offset
        self.fuzzyMatching = fuzzyMatching
    }

    /// The resource path below the service root.
    /// At the study level a study UID is a matching key instead (there is no `/studies/{study}/studies`).
    public var path: String {
        guard level != .studies, let studyUID else { return "/\(level.rawValue)" }
        if level == .instances, let seriesUID { return "/studies/\(studyUID)/series/\(seriesUID)/instances" }
        return "/studies/\(studyUID)/\(level.rawValue)"
    }

    /// The query parameters.
    public var parameters: [(String, String)] {
        var query = matches
        if level == .studies, let studyUID { query.append(("StudyInstanceUID", studyUID)) }
        if level == .series, let seriesUID { query.append(("SeriesInstanceUID", seriesUID)) }
        for field in includeFields { query.append(("includefield", field)) }
        if let limit { query.append(("limit", String(limit))) }
        if let offset { query.append(("offset", String(offset))) }
        if fuzzyMatching { query.append(("fuzzymatching", "true")) }
        return query
    }
}

/// What a search returned.
public struct SearchResult: Sendable {
    /// The matches, one data set each.
    public var results: [DataSet]
    /// The response body as the server sent it (a DICOM JSON array, PS3.18 §F.2).
    public var json: [UInt8]
    /// `Warning` headers, e.g. that the results were cut at a limit (PS3.18 §8.3.4.2).
    public var warnings: [String]
}

extension DICOMwebClient {
    /// The largest search response read (the results are held in memory).
    public static let maximumSearchResponse = 512 << 20

    /// Runs a QIDO-RS search and decodes the DICOM JSON results. A 204 (no matches) gives no results.
    public func search(_ query: SearchQuery) async throws -> SearchResult {
        let request = self.request(url(query.path, query: query.parameters), accept: "application/dicom+json")
        let response = try await send(request)
        let body = try await response.body.collect(upTo: Self.maximumSearchResponse)
        let bytes = Array(body.readableBytesView)
        let warnings = response.headers["Warning"]
        if response.status.code == 204 || bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return SearchResult(results: [], json: Array("[]".utf8), warnings: warnings)
        }
        do {
            return SearchResult(results: try DICOMJSONDecoder.decodeArray(bytes), json: bytes, warnings: warnings)
        } catch {
            throw DICOMwebClientError(
                status: Int(response.status.code), "the search response is not DICOM JSON: \(error)")
        }
    }

    /// Every match of `query`, fetched `pageSize` at a time with `offset`. A page shorter than asked ends
    /// the search unless the server said it cut the page at a maximum of its own (a `Warning` header,
    /// PS3.18 §8.3.4.2); an empty page always ends it.
    public func searchAll(_ query: SearchQuery, pageSize: Int = 1000) async throws -> [DataSet] {
        var all: [DataSet] = []
        var page = query
        page.limit = pageSize
        page.offset = 0
        for _ in 0..<100_000 {
            let result = try await search(page)
            all += result.results
            if result.results.isEmpty || (result.results.count < pageSize && result.warnings.isEmpty) { break }
            page.offset! += result.results.count
        }
        return all
    }
}
