/// Equipment vendors' private data element dictionaries (PS3.5 §7.8), by private creator, generated from
/// pydicom's private dictionaries by `Scripts/generate-dictionary.py`. Parsed once on first use; safe to use
/// from any thread.
///
/// A private creator element (gggg,00bb) with value `creator` reserves the block (gggg,bb00–bbFF); an element
/// of the block is identified by its group, the creator and its offset `ee` in the block, whatever the block
/// number `bb` (PS3.5 §7.8.1). Entries describe elements in the registry's notation:
///
/// - (gggg,xxee): offset `ee` in any block of group `gggg` — most entries;
/// - (ggxx,xxee): offset `ee` in any block of any group `gg00–ggFF` (e.g. the (60xx) overlay groups);
/// - (gggg,bbee): given with an explicit block `bb` by the source; still matched in any block, explicit block
///   entries first when the full tag is known;
/// - other masks such as (0019,10xx), which pydicom also lists but never matches, are kept in
///   ``entries(creator:)`` and never matched.
///
/// pydicom lists some elements as (gggg,00ee), an offset without a block; the generator rewrites these as
/// (gggg,xxee). Private entries have no keyword; their ``DictionaryEntry/keyword`` is empty.
public enum PrivateDictionary {
    /// VR, VM and name of the private element at offset `elementOffset` (0x00–0xFF) in a block reserved by
    /// `creator` in `group`: a (gggg,xxee) entry, then a (ggxx,xxee) entry, then an explicit-block entry with
    /// that offset (the lowest block). `creator` is matched ignoring leading and trailing spaces and NULs,
    /// exactly first, then ignoring case. `nil` when the creator or the element is unknown.
    public static func entry(creator: String, group: UInt16, elementOffset: UInt8) -> DictionaryEntry? {
        PrivateTables.shared.creator(creator)?.entry(group: group, offset: elementOffset)
    }

    /// The private element `tag` in a block reserved by `creator`: an entry for exactly `tag` first, then, for
    /// a private data element (gggg,1000–FFFF), as ``entry(creator:group:elementOffset:)`` with the low byte of
    /// the element.
    public static func entry(creator: String, tag: Tag) -> DictionaryEntry? {
        guard let dictionary = PrivateTables.shared.creator(creator) else { return nil }
        if let entry = dictionary.byTag[tag.rawValue] { return entry }
        guard tag.element >= 0x1000 else { return nil }
        return dictionary.entry(group: tag.group, offset: UInt8(truncatingIfNeeded: tag.element))
    }

    /// Every entry of `creator`'s dictionary (matched as in ``entry(creator:group:elementOffset:)``), sorted by
    /// tag pattern; empty when the creator is unknown.
    public static func entries(creator: String) -> [DictionaryEntry] {
        PrivateTables.shared.creator(creator)?.entries ?? []
    }

    /// The private creator strings that have a dictionary, sorted.
    public static var creators: [String] { PrivateTables.shared.creatorNames }
}
