/// The standard DICOM data dictionary: the Registry of DICOM Data Elements (PS3.6 §6), File Meta Elements
/// (PS3.6 §7), Directory Structuring Elements (PS3.6 §8) and the command elements (PS3.7 Annex E), generated
/// from pydicom's dictionaries by `Scripts/generate-dictionary.py`.
///
/// The tables are parsed once, on first use (a few milliseconds), and are safe to use from any thread.
/// Single tags are found by binary search, keywords by hashing.
public enum DataDictionary {
    /// The dictionary entry describing `tag`, tried in this order:
    ///
    /// 1. the registry entry for exactly `tag`;
    /// 2. (gggg,0000) not in the registry: a generic Group Length, UL, VM 1, retired (PS3.5 §7.2) — before the
    ///    masked entries, so (1000,0000) is a group length and not (1000,xxx0) Escape Triplet;
    /// 3. for a non-private tag, a repeating-group or masked entry that ``DictionaryEntry/matches(_:)`` it, the
    ///    most specific mask first: (50xx,eeee) curves, (60xx,eeee) overlays, (7Fxx,eeee) variable pixel data
    ///    (PS3.5 §7.6), (0020,31xx), (0028,04x0), (1000,xxx0), ...; these have the wildcard bits of
    ///    ``DictionaryEntry/tag`` zero. Private groups (odd, PS3.5 §7.8.1) never match them, so (6001,3000) is
    ///    not Overlay Data;
    /// 4. (gggg,0010–00FF) in a private group: a Private Creator, LO, VM 1 (PS3.5 §7.8.1).
    ///
    /// The entries made up by rules 2 and 4 have ``DictionaryEntry/tag`` equal to `tag`, a mask of
    /// `0xFFFFFFFF` and an empty keyword. Other private tags are described by ``PrivateDictionary``, which
    /// needs their creator; here they give `nil`, as do tags the registry does not know.
    public static func entry(for tag: Tag) -> DictionaryEntry? {
        let tables = StandardTables.shared
        if let entry = tables.exactEntry(tag) { return entry }
        if tag.element == 0 {
            return DictionaryEntry(tag: tag, vrs: [.UL], vm: "1", keyword: "", name: "Group Length", isRetired: true)
        }
        if !tag.isPrivate, let entry = tables.repeatingEntries.first(where: { $0.matches(tag) }) { return entry }
        if tag.isPrivateCreator {
            return DictionaryEntry(
                tag: tag, vrs: [.LO], vm: "1", keyword: "", name: "Private Creator", isRetired: false)
        }
        return nil
    }

    /// The tag whose keyword (PS3.6 §6) is `keyword`, e.g. (0010,0010) for "PatientName"; case-sensitive.
    /// For a repeating-group or masked keyword, the tag with the wildcard bits zero: (6000,3000) for
    /// "OverlayData". For a few retired masked entries that tag is itself another element, so
    /// ``entry(for:)`` does not lead back to the keyword: (0028,04x0) "RowsForNthOrderCoefficients" gives
    /// (0028,0400), which is Transform Label; (1000,xxx0) and (1010,xxxx) give group lengths.
    public static func tag(forKeyword keyword: String) -> Tag? {
        StandardTables.shared.tagsByKeyword[keyword]
    }

    /// The keyword of the entry describing `tag` (see ``entry(for:)``), or `nil` when there is no entry or the
    /// entry has no keyword.
    public static func keyword(for tag: Tag) -> String? {
        let tables = StandardTables.shared
        if let index = tables.exactIndex(tag) {
            let keyword = tables.exactKeyword(at: index)
            return keyword.isEmpty ? nil : keyword
        }
        guard let keyword = entry(for: tag)?.keyword, !keyword.isEmpty else { return nil }
        return keyword
    }

    /// The VR to assume for `tag` when the encoding does not say (implicit VR, PS3.5 §7.1.3): the first VR of
    /// the entry describing it (see ``entry(for:)``), or `nil` when the tag is unknown or has no VR (the item
    /// and delimitation tags, PS3.5 §7.5). Where the registry allows several ("US or SS"), the data set decides
    /// (PS3.5 Annex A); use ``DictionaryEntry/vrs`` for those.
    public static func vr(for tag: Tag) -> VR? {
        let tables = StandardTables.shared
        // Fast path for the common case, without copying the entry.
        if let index = tables.exactIndex(tag) { return tables.exactVRs[index].first }
        return entry(for: tag)?.vrs.first
    }

    /// Every registry entry, single-tag and repeating, sorted by ``DictionaryEntry/tag`` (then by mask, more
    /// specific first). The synthesized Group Length and Private Creator entries are not included.
    public static var allEntries: [DictionaryEntry] { StandardTables.shared.allEntries }

    /// The VRs of `tag` (several for entries such as "US or SS"; empty when unknown). Cheaper than
    /// ``entry(for:)`` for the common single-tag case, as the parser needs for implicit VR.
    public static func vrs(for tag: Tag) -> [VR] {
        let tables = StandardTables.shared
        if let index = tables.exactIndex(tag) { return tables.exactVRs[index] }
        return entry(for: tag)?.vrs ?? []
    }
}
