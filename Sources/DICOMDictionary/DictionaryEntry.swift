/// One data element of a data dictionary: the standard registry (PS3.6 §6, §7, §8 and PS3.7 Annex E) or a
/// vendor's private dictionary (PS3.5 §7.8).
///
/// An entry describes either one tag (``mask`` is `0xFFFFFFFF`) or a family of tags: a repeating group such as
/// the overlays (60xx,eeee) of PS3.5 §7.6, a masked element such as (0020,31xx), or a private element defined
/// relative to its block, (gggg,xxee) (PS3.5 §7.8.1). A tag belongs to the entry when
/// `tag.rawValue & mask == entry.tag.rawValue` (see ``matches(_:)``).
public struct DictionaryEntry: Sendable, Hashable {
    /// The tag; for a repeating or masked entry, the tag with the wildcard ("xx") bits zero, e.g. (6000,3000)
    /// for Overlay Data (60xx,3000).
    public let tag: Tag
    /// The bits of a tag that must equal ``tag``: `0xFFFFFFFF` for an entry of one tag, `0xFF00FFFF` for
    /// 50xx/60xx/7Fxx repeating groups, `0xFFFF00FF` for a private (gggg,xxee) element, and so on, one hex
    /// nibble of zero for each 'x' of the registry's notation.
    public let mask: UInt32
    /// The value representations the element may have (PS3.5 §6.2), in the registry's order: one for most
    /// elements, several where the registry says e.g. "US or SS" (`[.US, .SS]`) or "OB or OW" (`[.OB, .OW]`),
    /// whose choice depends on the data set (PS3.5 Annex A). Empty for the Item, Item Delimitation Item and
    /// Sequence Delimitation Item tags (FFFE,E000/E00D/E0DD), which have no VR (PS3.5 §7.5).
    public let vrs: [VR]
    /// The value multiplicity (PS3.5 §6.4) as the registry writes it: "1", "1-n", "2-2n", "3-3n", ...
    public let vm: String
    /// The keyword (PS3.6 §6), e.g. "PatientName"; empty for the few retired entries the registry gives none,
    /// for private elements (vendors' dictionaries have no keywords) and for the synthesized generic Group Length
    /// and Private Creator entries.
    public let keyword: String
    /// The attribute name, e.g. "Patient's Name".
    public let name: String
    /// The registry marks the element retired (PS3.6 §6, PS3.5 §7.2 for generic group lengths).
    public let isRetired: Bool

    /// Creates an entry.
    public init(
        tag: Tag, mask: UInt32 = 0xFFFF_FFFF, vrs: [VR], vm: String, keyword: String, name: String, isRetired: Bool
    ) {
        self.tag = tag
        self.mask = mask
        self.vrs = vrs
        self.vm = vm
        self.keyword = keyword
        self.name = name
        self.isRetired = isRetired
    }

    /// The first of ``vrs``, the one to use when nothing in the data set decides (PS3.5 §6.2); `nil` when the
    /// entry has none.
    public var vr: VR? { vrs.first }

    /// Whether the entry stands for more than one tag (a repeating group or masked element, PS3.5 §7.6).
    public var isRepeating: Bool { mask != 0xFFFF_FFFF }

    /// Whether `tag` is one of the tags this entry describes: `tag.rawValue & mask == self.tag.rawValue`.
    public func matches(_ tag: Tag) -> Bool { tag.rawValue & mask == self.tag.rawValue }

    /// The registry's notation of the tag, `(GGGG,EEEE)` with a lower-case `x` for each wildcard nibble, e.g.
    /// `(60xx,3000)`.
    public var tagPattern: String {
        let digits = Array(tag.hexString)
        var text = "("
        for i in 0..<8 {
            if i == 4 { text += "," }
            let nibbleMask = (mask >> UInt32(28 - 4 * i)) & 0xF
            text.append(nibbleMask == 0 ? "x" : digits[i])
        }
        return text + ")"
    }
}
