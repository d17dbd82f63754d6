import Foundation

/// Person Name matching (VR PN) for ``QIDOEvaluator``.
///
/// PS3.4 §C.2.2.2.1 lets an archive match PN values literally "either case-sensitive, or … insensitive to
/// some or all aspects of case, position, accent, or other character encoding variants", and §C.2.2.2.4
/// extends this to Wild Card Matching. The rules here:
/// - Case insensitive: both sides are case folded (Foundation's `folding(options: .caseInsensitive)`), so
///   `Müller`, `MÜLLER` and `müller` are equal. Accents count: `*é*` does not find `Dupont^Rene`, and `Muller`
///   does not find `Müller`, unless the query asks for fuzzy matching.
/// - Accent insensitive with `fuzzymatching=true` only (PS3.18 §8.3.4.2): both sides are then folded with
///   `folding(options: [.caseInsensitive, .diacriticInsensitive])` (canonical decomposition, marks removed,
///   case folded), so `Muller` finds `Müller`, for literal values and wildcard patterns alike; letters without
///   a decomposition (`ø`, `ł`) stay distinct from their base letters. Width (full-width Latin, half-width
///   kana) is not folded.
/// - Component groups (PS3.5 §6.2.1.2): a query without `=` matches when it equals any one group of the
///   stored value (alphabetic, ideographic or phonetic), so `Yamada^Tarou`, `山田^太郎` and `やまだ^たろう`
///   each find `Yamada^Tarou=山田^太郎=やまだ^たろう`. A query with `=` gives groups by position: each
///   non-empty query group must equal the stored group at its position; empty query groups match anything.
/// - Components are compared after normalisation: spaces around each component and trailing empty
///   components are insignificant (`Doe^John^^` equals `Doe^John`, PS3.5 §6.2.1.1).
/// - Literal matching is whole-value, as §C.2.2.2.1 requires: `Doe` does not match `Doe^John`. A query on
///   the family name alone is written `Doe*` (Wild Card Matching), or matches through ``QIDOQuery/fuzzyMatching``.
/// - Wild Card Matching: a pattern without `=` is matched against each normalised group, one with `=`
///   against the normalised value (groups joined by `=`); `*` and `?` may span `^`.
/// - Fuzzy matching (`fuzzymatching=true`, PS3.18 §8.3.4.2, whose algorithm is the archive's choice): besides
///   the literal rules, a query group matches a stored group when every non-empty query component is a
///   prefix of the stored component at the same position (`Do^J` finds `Doe^John`), or when the family names
///   have the same Soundex code (``QIDOSoundex``) and the other non-empty components are prefixes
///   (`Meier^J` finds `Mayer^John`). Applies to single-value PN keys, not to wildcard patterns.
struct QIDOPersonNameMatcher: Sendable {
    /// The case-folded, normalised groups of the query value (one entry per group as written).
    private let groups: [String?]
    /// The same, accents folded too (fuzzy matching).
    private let accentFoldedGroups: [String?]

    init(query: String) {
        let raw = query.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
        func prepared(_ accents: Bool) -> [String?] {
            raw.map { group in
                let normalized = Self.normalize(Self.fold(String(group), accents: accents))
                return normalized.isEmpty ? nil : normalized
            }
        }
        self.groups = prepared(false)
        self.accentFoldedGroups = prepared(true)
    }

    /// Whether a stored PN value (its whole decoded text, groups separated by `=`) matches.
    func matches(_ storedValue: String, fuzzy: Bool) -> Bool {
        let stored = Self.groups(of: storedValue, accents: fuzzy)
        let groups = fuzzy ? accentFoldedGroups : groups
        let compare: (String, String) -> Bool = { query, value in
            query == value || (fuzzy && Self.fuzzyMatches(query: query, value: value))
        }
        if groups.count == 1, let query = groups[0] {
            return stored.contains { $0.map { compare(query, $0) } ?? false }
        }
        var constrained = false
        for (index, query) in groups.enumerated() {
            guard let query else { continue }
            constrained = true
            guard index < stored.count, let value = stored[index], compare(query, value) else { return false }
        }
        return constrained || stored.contains { $0 != nil }
    }

    /// The matcher of a PN wildcard pattern: its literals folded like values (accents too when `accents`),
    /// and whether it spans groups (it contains `=`).
    static func wildcardMatcher(
        _ pattern: QIDOWildcardPattern, accents: Bool = false
    ) -> (matcher: QIDOWildcardMatcher, spansGroups: Bool) {
        let spansGroups = pattern.elements.contains {
            if case .literal(let text) = $0 { text.contains("=") } else { false }
        }
        return (QIDOWildcardMatcher(pattern, transform: { fold($0, accents: accents) }), spansGroups)
    }

    /// Whether a stored PN value matches a wildcard pattern prepared by ``wildcardMatcher(_:accents:)`` with
    /// the same `accents`.
    static func matches(
        _ storedValue: String, wildcard: QIDOWildcardMatcher, spansGroups: Bool, accents: Bool = false
    ) -> Bool {
        let stored = groups(of: storedValue, accents: accents)
        if spansGroups {
            var joined = stored.map { $0 ?? "" }
            while joined.last == "" { joined.removeLast() }
            return wildcard.matches(joined.joined(separator: "="))
        }
        return stored.contains { $0.map(wildcard.matches) ?? false }
    }

    // MARK: Normalisation

    /// Case folded, and diacritics too when `accents` (see the type's documentation).
    static func fold(_ text: String, accents: Bool) -> String {
        // ASCII has no diacritics: lowercasing is the whole fold, and far cheaper than Foundation's.
        let utf8 = text.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            if !utf8.contains(where: { (0x41...0x5A).contains($0) }) { return text }
            return String(decoding: utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        return text.folding(
            options: accents ? [.caseInsensitive, .diacriticInsensitive] : .caseInsensitive, locale: nil)
    }

    /// The folded, normalised groups of a stored value; `nil` for an empty group. The delimiters `=` and `^`
    /// are ASCII, so the value is split on its UTF-8 bytes (a multi-byte character never contains them).
    static func groups(of value: String, accents: Bool) -> [String?] {
        let bytes = Array(value.utf8)
        var out: [String?] = []
        var start = 0
        for i in 0...bytes.count where i == bytes.count || (bytes[i] == 0x3D && out.count < 2) {
            let normalized = normalize(fold(String(decoding: bytes[start..<i], as: UTF8.self), accents: accents))
            out.append(normalized.isEmpty ? nil : normalized)
            start = i + 1
        }
        return out
    }

    /// Components trimmed of spaces, trailing empty components removed, joined by `^`.
    static func normalize(_ group: String) -> String {
        var components = Array(group.utf8).split(separator: 0x5E, omittingEmptySubsequences: false).map {
            component -> ArraySlice<UInt8> in
            var c = component
            while c.first == 0x20 { c = c.dropFirst() }
            while c.last == 0x20 { c = c.dropLast() }
            return c
        }
        while components.last?.isEmpty == true { components.removeLast() }
        return String(decoding: Array(components.joined(separator: [0x5E])), as: UTF8.self)
    }

    // MARK: Fuzzy matching

    /// Per-component prefix matching, or equal Soundex codes of the family names with prefix matching of
    /// the other components. Both sides are already folded and normalised.
    static func fuzzyMatches(query: String, value: String) -> Bool {
        let queryComponents = query.split(separator: "^", omittingEmptySubsequences: false)
        let valueComponents = value.split(separator: "^", omittingEmptySubsequences: false)
        func prefixes(from start: Int) -> Bool {
            for index in start..<queryComponents.count where !queryComponents[index].isEmpty {
                guard index < valueComponents.count, valueComponents[index].hasPrefix(queryComponents[index]) else {
                    return false
                }
            }
            return true
        }
        if prefixes(from: 0) { return true }
        guard let queryFamily = queryComponents.first, !queryFamily.isEmpty,
            let queryCode = QIDOSoundex.code(queryFamily), let valueFamily = valueComponents.first,
            QIDOSoundex.code(valueFamily) == queryCode
        else { return false }
        return prefixes(from: 1)
    }
}
