extension Tag {
    /// The tag's keyword in the standard data dictionary (PS3.6 §6), e.g. "PatientName" for (0010,0010);
    /// `nil` when it has none. See ``DataDictionary/keyword(for:)``.
    public var keyword: String? { DataDictionary.keyword(for: self) }

    /// The tag whose keyword (PS3.6 §6) is `keyword`; `nil` when no data element has it.
    /// See ``DataDictionary/tag(forKeyword:)``.
    public init?(keyword: String) {
        guard let tag = DataDictionary.tag(forKeyword: keyword) else { return nil }
        self = tag
    }
}

extension TransferSyntax {
    /// The transfer syntax's name in the UID registry (PS3.6 Annex A), e.g. "Explicit VR Little Endian";
    /// `nil` for a UID the registry does not list.
    public var name: String? {
        guard let name = UIDRegistry.entry(for: uid)?.name, !name.isEmpty else { return nil }
        return name
    }
}
