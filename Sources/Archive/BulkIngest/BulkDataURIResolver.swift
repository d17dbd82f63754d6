/// Matches BulkDataURIs in the metadata to parts by Content-Location (PS3.18 §10.5.1.2.2: "the Bulk Data
/// URI ... shall match the Content-Location of the corresponding bulk data part", and PS3.18 §8.6.1.2).
///
/// An exact match wins. Otherwise a URI and a Content-Location match when one is a path suffix of the other
/// at a `/` boundary once scheme and authority are removed (a client may send `http://host/x/1` in one and
/// `/x/1` or `1` in the other); this is accepted only when it names a single Content-Location. Several parts
/// may share one Content-Location: they are the frames of one multi-frame value, in request order.
struct BulkDataURIResolver {
    private let parts: [BulkDataPart]

    init(parts: [BulkDataPart]) { self.parts = parts }

    /// The indices of the parts `uri` refers to, in request order.
    func resolve(_ uri: String) throws(BulkIngestError) -> [Int] {
        let exact = parts.indices.filter { parts[$0].contentLocation == uri }
        if !exact.isEmpty { return exact }
        let wanted = Self.segments(uri)
        guard !wanted.isEmpty else { throw BulkIngestError(.unresolvedBulkDataURI, "empty BulkDataURI") }
        var candidates: [String: [Int]] = [:]
        for (i, part) in parts.enumerated() {
            guard let location = part.contentLocation else { continue }
            let have = Self.segments(location)
            guard !have.isEmpty else { continue }
            if wanted.count >= have.count ? wanted.hasSuffix(have) : have.hasSuffix(wanted) {
                candidates[location, default: []].append(i)
            }
        }
        if candidates.count > 1 {
            let names = candidates.keys.sorted().joined(separator: ", ")
            throw BulkIngestError(.ambiguousBulkDataURI, "BulkDataURI \(uri) matches several parts: \(names)")
        }
        guard let match = candidates.values.first else {
            throw BulkIngestError(.unresolvedBulkDataURI, "no part has Content-Location \(uri)")
        }
        return match
    }

    /// The path segments of a URI or a relative reference, without scheme, authority, query or fragment.
    static func segments(_ text: String) -> [Substring] {
        var rest = Substring(text)
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let colon = rest.firstIndex(of: ":"),
            rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        {
            rest = rest[rest.index(after: colon)...]
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
            }
        }
        return rest.split(separator: "/", omittingEmptySubsequences: true)
    }
}

extension Array where Element: Equatable {
    fileprivate func hasSuffix(_ suffix: [Element]) -> Bool {
        suffix.count <= count && Array(self[(count - suffix.count)...]) == suffix
    }
}
