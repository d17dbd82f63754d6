/// How one query key matches (PS3.4 §C.2.2.2 "Attribute Matching"), decided from the attribute's VR and the
/// value's form. Every case carries typed values, ready to become bind parameters.
public enum QIDOMatching: Sendable, Hashable {
    /// Universal Matching (§C.2.2.2.3): an empty value, or `*` alone for a VR that allows wildcards. Every
    /// entity matches; the attribute is returned. On a sequence, the whole sequence is returned.
    case universal
    /// Single Value Matching (§C.2.2.2.1) of a text VR (AE, AS, CS, LO, LT, SH, ST, UC, UR, UT): exact and
    /// case-sensitive.
    case text(String)
    /// Single Value Matching of a PN (§C.2.2.2.1): the raw value as sent (components separated by `^`,
    /// groups by `=`). Unlike other VRs, the archive may match it case-insensitively and, when the query asks
    /// for ``QIDOQuery/fuzzyMatching``, by a fuzzy (e.g. phonetic) algorithm of its own (PS3.18 §8.3.4.2).
    case personName(String)
    /// Single Value Matching of one UID (VR UI).
    case uid(String)
    /// List of UID Matching (§C.2.2.2.2): any of these UIDs (two or more), sent separated by `\` (the DICOM
    /// value separator) or `,` (the `uid-list-match` rule of PS3.18 §8.3.4.1).
    case uidList([String])
    /// List matching of a text VR other than PN: any of these values (two or more), each exact and
    /// case-sensitive as in ``text(_:)``. Sent separated by `\` (the DICOM value separator, for VRs whose values
    /// cannot contain one) or, for CS, whose values cannot contain a comma, by `,` as a UID list (PS3.18
    /// §8.3.4.1). Works alike on stored and computed attributes (`ModalitiesInStudy=CT,MR`).
    case textList([String])
    /// Wild Card Matching (§C.2.2.2.4) of a text VR or PN (for PN, case-insensitive as for ``personName(_:)``).
    case wildcard(QIDOWildcardPattern)
    /// Single Value Matching of a date.
    case date(QIDODate)
    /// Single Value Matching of a time: an entity matches when its time falls within the precision given
    /// (`10` matches 10:00:00 to 10:59:59.999999).
    case time(QIDOTime)
    /// Single Value Matching of a date and time, to the precision given.
    case dateTime(QIDODateTime)
    /// Range Matching (§C.2.2.2.5) of a DA.
    case dateRange(QIDORange<QIDODate>)
    /// Range Matching of a TM.
    case timeRange(QIDORange<QIDOTime>)
    /// Range Matching of a DT.
    case dateTimeRange(QIDORange<QIDODateTime>)
    /// Single Value Matching of an integer VR (IS, SS, US, SL, UL, SV, UV; UV values above `Int64.max` are
    /// rejected). Whether `+7` or `007` equal `7` is implementation-defined (§C.2.2.2.1, CP-2305); here they do.
    case integer(Int64)
    /// Single Value Matching of a decimal VR (DS, FL, FD).
    case decimal(Double)
    /// Single Value Matching of an AT value, written as `GGGGEEEE`.
    case attributeTag(Tag)
}

/// One matching key of a query: an attribute (possibly inside sequences, PS3.4 §C.2.2.2.6 Sequence
/// Matching) and how it matches.
public struct QIDOMatchKey: Sendable, Hashable {
    /// The attribute, with its VR.
    public let path: QIDOAttributePath
    /// How it matches.
    public let matching: QIDOMatching

    /// A key matching `path` by `matching`.
    public init(path: QIDOAttributePath, matching: QIDOMatching) {
        self.path = path
        self.matching = matching
    }
}
