import DICOMCore
import DICOMweb

/// The attributes a search result returns (PS3.18 §10.6.3.3, PS3.4 §C.2.2.1): the default return attributes
/// of the query's scope, the `includefield` ones and the matching keys (all stored attributes for
/// `includefield=all`), Specific Character Set, and the entity's Retrieve URL (0008,1190); the Type 2 defaults
/// the entity has no value for are returned zero-length.
public struct QueryProjection: Sendable {
    /// The top-level tags returned; `nil` for every attribute.
    public let wanted: Set<Tag>?
    /// The Type 2 attributes added zero-length when absent.
    public let typeTwo: [(Tag, VR)]
    /// The service's base URL, before `/studies`.
    public let serviceBase: String

    /// The projection of `query`'s results, with Retrieve URLs under `serviceBase`.
    public init(_ query: QIDOQuery, serviceBase: String) {
        self.wanted = Self.wantedTags(query)
        self.typeTwo = QIDOReturnAttributes.typeTwo(for: query.scope)
        self.serviceBase = serviceBase
    }

    /// The tags a match returns: the defaults of the scope, the `includefield` ones, the matching keys and
    /// Specific Character Set; `nil` for `includefield=all` (every stored attribute).
    public static func wantedTags(_ query: QIDOQuery) -> Set<Tag>? {
        if query.returnsAllAttributes { return nil }
        var wanted = Set(query.returnAttributes.map { $0.tags[0] })
        for key in query.keys { wanted.insert(key.path.tags[0]) }
        wanted.insert(.specificCharacterSet)
        wanted.insert(Tag.retrieveURL)
        return wanted
    }

    /// The attributes `match` returns, with its Retrieve URL.
    public func returned(_ match: SearchMatch) -> DataSet {
        // Percent-encoded path segments (RFC 3986 §2.1): the same for valid UIDs, one segment for anything else.
        var url = "\(serviceBase)/studies/\(PercentEncoding.encode(match.studyUID))"
        if let series = match.seriesUID { url += "/series/\(PercentEncoding.encode(series))" }
        if let sop = match.sopInstanceUID { url += "/instances/\(PercentEncoding.encode(sop))" }
        return match.attributes.returned(wanted, retrieveURL: url).addingEmpty(typeTwo)
    }
}

extension DataSet {
    /// A search result (PS3.18 §10.6.3.3, §11.9, §12.6): the `wanted` top-level attributes (all when `nil`)
    /// and Retrieve URL (0008,1190).
    public func returned(_ wanted: Set<Tag>?, retrieveURL: String) -> DataSet {
        // All attributes: the set itself, without copying it element by element.
        var out = self
        if let wanted { out.removeAll { !wanted.contains($0.tag) } }
        out.set(.text(Tag.retrieveURL, .UR, retrieveURL))
        return out
    }
}
