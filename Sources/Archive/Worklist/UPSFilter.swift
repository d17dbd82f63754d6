import DICOMweb

/// The filter of a filtered global subscription (PS3.18 §11.10: `filter=attr=value[,attr=value…]`), read with
/// the QIDO-RS matching rules (§8.3.4.1). A comma starts a new key only when what follows holds an `=`, so a
/// List of UID Matching value (`1.2,1.3`) stays one key.
enum UPSFilter {
    static func parse(_ filter: String) throws -> QIDOFlatQuery {
        var items: [(String, String)] = []
        for piece in filter.split(separator: ",", omittingEmptySubsequences: false) {
            if let equals = piece.firstIndex(of: "=") {
                items.append((String(piece[..<equals]), String(piece[piece.index(after: equals)...])))
            } else if !items.isEmpty {
                items[items.count - 1].1 += "," + piece
            } else {
                throw UPSError(.invalid, "The filter '\(filter)' is not a list of attribute=value (PS3.18 §11.10.1).")
            }
        }
        do {
            return try QIDOFlatQuery.parse(queryItems: items)
        } catch {
            throw UPSError(.invalid, "The filter is not a valid query: \(error)")
        }
    }
}
