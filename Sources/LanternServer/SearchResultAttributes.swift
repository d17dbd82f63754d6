import DICOMCore

extension DataSet {
    /// A search result (PS3.18 §10.6.3.3, §11.9, §12.6): the `wanted` top-level attributes (all when `nil`)
    /// and Retrieve URL (0008,1190).
    func returned(_ wanted: Set<Tag>?, retrieveURL: String) -> DataSet {
        // All attributes: the set itself, without copying it element by element.
        var out = self
        if let wanted { out.removeAll { !wanted.contains($0.tag) } }
        out.set(.text(Tag(0x0008_1190), .UR, retrieveURL))
        return out
    }
}
