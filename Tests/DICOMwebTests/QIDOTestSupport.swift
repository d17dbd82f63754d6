import DICOMweb
import Testing

/// Shared helpers for the QIDO-RS query model tests.
enum QIDO {
    static func parse(_ items: [(String, String)], scope: QIDOScope = .allStudies) throws -> QIDOQuery {
        try QIDOQuery.parse(queryItems: items, scope: scope)
    }

    /// The error parsing `items` throws, or `nil` if it parses.
    static func failure(_ items: [(String, String)], scope: QIDOScope = .allStudies) -> QIDOQueryError? {
        do throws(QIDOQueryError) {
            _ = try QIDOQuery.parse(queryItems: items, scope: scope)
            return nil
        } catch {
            return error
        }
    }

    /// The matching of the single key `name=value`.
    static func matching(_ name: String, _ value: String, scope: QIDOScope = .allStudies) throws -> QIDOMatching {
        let query = try parse([(name, value)], scope: scope)
        try #require(query.keys.count == 1)
        return query.keys[0].matching
    }

    static func path(_ keywords: String...) -> [DICOMCore.Tag] {
        keywords.map { DataDictionary.tag(forKeyword: $0)! }
    }
}
