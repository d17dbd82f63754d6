/// One unique identifier of the Registry of DICOM Unique Identifiers (PS3.6 Annex A, Table A-1) or of the
/// well-known frames of reference and other UIDs the standard defines (PS3.6 Annex A).
public struct UIDEntry: Sendable, Hashable {
    /// The UID, e.g. "1.2.840.10008.1.2.4.50".
    public let uid: String
    /// The UID name, e.g. "JPEG Baseline (Process 1)"; empty for the two retired SOP classes the registry
    /// lists without one.
    public let name: String
    /// The UID keyword (PS3.6 Annex A), e.g. "JPEGBaseline8Bit"; empty when the registry gives none.
    public let keyword: String
    /// The UID type as PS3.6 Table A-1 writes it: "Transfer Syntax", "SOP Class", "Meta SOP Class",
    /// "Well-known SOP Instance", "Well-known frame of reference", "Coding Scheme", "LDAP OID",
    /// "Service Class", "Application Context Name", ...
    public let type: String
    /// The registry marks the UID retired.
    public let isRetired: Bool

    /// Creates an entry.
    public init(uid: String, name: String, keyword: String, type: String, isRetired: Bool) {
        self.uid = uid
        self.name = name
        self.keyword = keyword
        self.type = type
        self.isRetired = isRetired
    }

    /// The ``type`` of transfer syntax UIDs (PS3.5 §10).
    public static let transferSyntaxType = "Transfer Syntax"
}

/// The Registry of DICOM Unique Identifiers (PS3.6 Annex A), generated from pydicom's UID dictionary by
/// `Scripts/generate-dictionary.py`. Parsed once on first use; safe to use from any thread.
public enum UIDRegistry {
    /// The registry entry for `uid`; trailing NUL and space padding (PS3.5 §6.2, UI) is ignored.
    public static func entry(for uid: String) -> UIDEntry? {
        let tables = UIDTables.shared
        guard let index = tables.indexByUID[trimPadding(uid)] else { return nil }
        return tables.entries[index]
    }

    /// The UID whose keyword (PS3.6 Annex A) is `keyword`, e.g. "1.2.840.10008.1.2.1" for
    /// "ExplicitVRLittleEndian"; case-sensitive.
    public static func uid(forKeyword keyword: String) -> String? {
        UIDTables.shared.uidsByKeyword[keyword]
    }

    /// The transfer syntaxes of the registry (``UIDEntry/type`` "Transfer Syntax", PS3.5 §10 and Annex A),
    /// retired ones included, sorted by UID component.
    public static var transferSyntaxes: [UIDEntry] { UIDTables.shared.transferSyntaxes }

    /// Every registered UID, sorted by UID component (numerically).
    public static var allEntries: [UIDEntry] { UIDTables.shared.entries }
}
