// Parsing of the text tables in Generated/ (written by Scripts/generate-dictionary.py, which documents the
// format). Each table is parsed once, the first time it is used: the `shared` statics below are lazily and
// thread-safely initialized globals.

/// Splits `text` on `separator` (an ASCII byte) without grapheme breaking, keeping empty fields.
func splitASCII(_ text: Substring, _ separator: UInt8) -> [Substring] {
    var parts: [Substring] = []
    var start = text.utf8.startIndex
    var index = start
    let end = text.utf8.endIndex
    while index != end {
        if text.utf8[index] == separator {
            parts.append(Substring(text.utf8[start..<index]))
            start = text.utf8.index(after: index)
        }
        index = text.utf8.index(after: index)
    }
    parts.append(Substring(text.utf8[start..<end]))
    return parts
}

/// The non-empty lines of a table.
func tableLines(_ text: String) -> [Substring] {
    splitASCII(Substring(text), UInt8(ascii: "\n")).filter { !$0.isEmpty }
}

/// Parses a tag pattern `GGGGEEEE` whose nibbles are hex digits or `x` (any value) into the tag with the
/// wildcard bits zero and the mask of the fixed bits.
func parsePattern(_ pattern: Substring) -> (tag: Tag, mask: UInt32) {
    var value: UInt32 = 0
    var mask: UInt32 = 0
    var count = 0
    for byte in pattern.utf8 {
        value <<= 4
        mask <<= 4
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value |= UInt32(byte - UInt8(ascii: "0")); mask |= 0xF
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value |= UInt32(byte - UInt8(ascii: "A") + 10); mask |= 0xF
        case UInt8(ascii: "x"): break
        default: preconditionFailure("bad tag pattern \(pattern) in a generated dictionary table")
        }
        count += 1
    }
    precondition(count == 8, "bad tag pattern \(pattern) in a generated dictionary table")
    return (Tag(value), mask)
}

/// Parses `US/SS` into `[.US, .SS]`, and the empty field into `[]`.
func parseVRs(_ field: Substring) -> [VR] {
    if field.isEmpty { return [] }
    return splitASCII(field, UInt8(ascii: "/")).map { code in
        guard let vr = VR(rawValue: String(code)) else {
            preconditionFailure("unknown VR \(code) in a generated dictionary table")
        }
        return vr
    }
}

/// The standard data dictionary over `standardText` and `repeatingText`.
///
/// Start-up cost matters (every `lantern` process reads DICOM): the first use only indexes the table's
/// bytes (tag, VRs and where each line starts, about a millisecond); whole entries with their strings are
/// made on demand, and the keyword index and the full entry list are built the first time they are asked for.
final class StandardTables: Sendable {
    /// The raw values of the single-tag entries, sorted, for binary search.
    let exactTags: [UInt32]
    /// The VRs of the single-tag entries, parallel to `exactTags`.
    let exactVRs: [[VR]]
    /// Byte offset of each single-tag entry's line in `standardText`, parallel to `exactTags`.
    private let lineStarts: [Int]
    /// Repeating-group and masked entries, most specific mask first.
    let repeatingEntries: [DictionaryEntry]

    static let shared = StandardTables()

    private init() {
        var tags: [UInt32] = []
        var vrs: [[VR]] = []
        var starts: [Int] = []
        tags.reserveCapacity(5200)
        vrs.reserveCapacity(5200)
        starts.reserveCapacity(5200)
        var text = Self.standardText
        text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                var end = i
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                if end - i > 9 {
                    tags.append(parseHexPattern(bytes, i).tag.rawValue)
                    vrs.append(parseVRField(bytes, i + 9))
                    starts.append(i)
                }
                i = end + 1
            }
        }
        exactTags = tags
        exactVRs = vrs
        lineStarts = starts
        repeatingEntries = tableLines(Self.repeatingText).map(parseStandardLine)
        precondition(zip(exactTags, exactTags.dropFirst()).allSatisfy { $0 < $1 }, "standard table is not sorted")
    }

    /// The index in `exactTags` of `tag`, by binary search.
    func exactIndex(_ tag: Tag) -> Int? {
        let key = tag.rawValue
        var low = 0
        var high = exactTags.count
        while low < high {
            let mid = (low + high) / 2
            if exactTags[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low < exactTags.count && exactTags[low] == key ? low : nil
    }

    /// The single-tag entry at `index`, made from its line.
    func exactEntry(at index: Int) -> DictionaryEntry {
        let utf8 = Self.standardText.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: lineStarts[index])
        let end = utf8[start...].firstIndex(of: 0x0A) ?? utf8.endIndex
        return parseStandardLine(Substring(utf8[start..<end]))
    }

    /// The keyword of the single-tag entry at `index` (the fourth field of its line), without building the
    /// entry: encoders ask for it once per attribute.
    func exactKeyword(at index: Int) -> String {
        var text = Self.standardText
        let start = lineStarts[index]
        return text.withUTF8 { bytes in
            var i = start
            var bars = 0
            while i < bytes.count && bars < 3 {
                if bytes[i] == 0x7C { bars += 1 }
                i += 1
            }
            var end = i
            while end < bytes.count && bytes[end] != 0x7C && bytes[end] != 0x0A { end += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
        }
    }

    /// The single-tag entry for `tag`.
    func exactEntry(_ tag: Tag) -> DictionaryEntry? {
        exactIndex(tag).map(exactEntry(at:))
    }

    /// Every entry, sorted by tag, then by mask (more specific first); built on first use.
    var allEntries: [DictionaryEntry] { AllStandardEntries.shared.entries }

    /// Keyword to tag; built on first use.
    var tagsByKeyword: [String: Tag] { AllStandardEntries.shared.tagsByKeyword }
}

/// The whole standard dictionary as entries, and its keyword index: only for callers that need them.
final class AllStandardEntries: Sendable {
    let entries: [DictionaryEntry]
    let tagsByKeyword: [String: Tag]

    static let shared = AllStandardEntries()

    private init() {
        let exact = tableLines(StandardTables.standardText).map(parseStandardLine)
        let repeating = StandardTables.shared.repeatingEntries
        var keywords: [String: Tag] = [:]
        keywords.reserveCapacity(exact.count + repeating.count)
        for entry in exact + repeating where !entry.keyword.isEmpty {
            keywords[entry.keyword] = entry.tag
        }
        tagsByKeyword = keywords
        entries = (exact + repeating).sorted {
            $0.tag != $1.tag ? $0.tag < $1.tag : $0.mask > $1.mask
        }
    }
}

/// Parses one line of the standard tables: `PATTERN|VRS|VM|KEYWORD|NAME|RETIRED`.
func parseStandardLine(_ line: Substring) -> DictionaryEntry {
    let f = splitASCII(line, UInt8(ascii: "|"))
    precondition(f.count == 6, "bad line in the standard dictionary table: \(line)")
    let (tag, mask) = parsePattern(f[0])
    return DictionaryEntry(
        tag: tag, mask: mask, vrs: parseVRs(f[1]), vm: String(f[2]), keyword: String(f[3]),
        name: String(f[4]), isRetired: f[5] == "1")
}

/// The tag and mask of the eight pattern bytes at `i`.
private func parseHexPattern(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (tag: Tag, mask: UInt32) {
    var value: UInt32 = 0
    var mask: UInt32 = 0
    for k in 0..<8 {
        let byte = bytes[i + k]
        value <<= 4
        mask <<= 4
        switch byte {
        case 0x30...0x39: value |= UInt32(byte - 0x30); mask |= 0xF
        case 0x41...0x46: value |= UInt32(byte - 0x41 + 10); mask |= 0xF
        default: break
        }
    }
    return (Tag(value), mask)
}

/// The VR field (`US/SS`, or empty) starting at `i`, up to the next `|`.
private func parseVRField(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> [VR] {
    var out: [VR] = []
    var k = i
    while k + 1 < bytes.count && bytes[k] != 0x7C {
        if let vr = VR(byte0: bytes[k], byte1: bytes[k + 1]) { out.append(vr) }
        k += 2
        if k < bytes.count && bytes[k] == 0x2F { k += 1 }
    }
    return out
}

/// The UID registry, parsed from `registryText`.
final class UIDTables: Sendable {
    /// Every UID, sorted by component.
    let entries: [UIDEntry]
    /// UID to index in `entries`.
    let indexByUID: [String: Int]
    /// Keyword to UID.
    let uidsByKeyword: [String: String]
    /// The transfer syntaxes, sorted by component.
    let transferSyntaxes: [UIDEntry]

    static let shared = UIDTables()

    private init() {
        let parsed = tableLines(Self.registryText).map { line in
            let f = splitASCII(line, UInt8(ascii: "|"))
            precondition(f.count == 5, "bad line in the UID table: \(line)")
            return UIDEntry(
                uid: String(f[0]), name: String(f[4]), keyword: String(f[1]), type: String(f[2]),
                isRetired: f[3] == "1")
        }
        entries = parsed
        var byUID: [String: Int] = [:]
        var byKeyword: [String: String] = [:]
        for (index, entry) in parsed.enumerated() {
            byUID[entry.uid] = index
            if !entry.keyword.isEmpty { byKeyword[entry.keyword] = entry.uid }
        }
        indexByUID = byUID
        uidsByKeyword = byKeyword
        transferSyntaxes = parsed.filter { $0.type == UIDEntry.transferSyntaxType }
    }
}

/// The private dictionaries, parsed from `privateText`.
final class PrivateTables: Sendable {
    /// One creator's dictionary, indexed for the lookups of `PrivateDictionary`.
    final class Creator: Sendable {
        /// Every entry, sorted by pattern.
        let entries: [DictionaryEntry]
        /// (gggg,xxee) entries by `group << 8 | ee`.
        let byGroupAndOffset: [UInt32: DictionaryEntry]
        /// (ggxx,xxee) entries by `gg << 8 | ee`.
        let byGroupHighByteAndOffset: [UInt16: DictionaryEntry]
        /// Single-tag entries (an explicit block), by tag.
        let byTag: [UInt32: DictionaryEntry]

        init(_ entries: [DictionaryEntry]) {
            self.entries = entries
            var groupAndOffset: [UInt32: DictionaryEntry] = [:]
            var highByteAndOffset: [UInt16: DictionaryEntry] = [:]
            var tags: [UInt32: DictionaryEntry] = [:]
            for entry in entries {
                let raw = entry.tag.rawValue
                switch entry.mask {
                case 0xFFFF_00FF: groupAndOffset[raw >> 8 & 0xFF_FF00 | raw & 0xFF] = entry
                case 0xFF00_00FF: highByteAndOffset[UInt16(raw >> 16 & 0xFF00 | raw & 0xFF)] = entry
                case 0xFFFF_FFFF: tags[raw] = entry
                default: break  // other masks, e.g. (0019,10xx): kept in `entries`, never matched
                }
            }
            byGroupAndOffset = groupAndOffset
            byGroupHighByteAndOffset = highByteAndOffset
            byTag = tags
        }

        /// The entry for element offset `offset` of a block of this creator in `group`.
        func entry(group: UInt16, offset: UInt8) -> DictionaryEntry? {
            if let entry = byGroupAndOffset[UInt32(group) << 8 | UInt32(offset)] { return entry }
            if let entry = byGroupHighByteAndOffset[group & 0xFF00 | UInt16(offset)] { return entry }
            // Entries the source gives with an explicit block, e.g. ELSCINT1 (00E1,1042): block-relative all the
            // same (PS3.5 §7.8.1), so they serve any block. `entries` is sorted, so the lowest block wins.
            return entries.first {
                $0.mask == 0xFFFF_FFFF && $0.tag.group == group && $0.tag.element >= 0x1000
                    && UInt8(truncatingIfNeeded: $0.tag.element) == offset
            }
        }
    }

    /// Creator string to its dictionary.
    let creators: [String: Creator]
    /// Creator strings lower-cased, to the first (sorted) creator that lower-cases to it.
    let creatorsByLowercasedName: [String: String]
    /// The creator strings, sorted.
    let creatorNames: [String]

    static let shared = PrivateTables()

    private init() {
        var creators: [String: Creator] = [:]
        var lowercased: [String: String] = [:]
        var names: [String] = []
        var current: String?
        var entries: [DictionaryEntry] = []
        func flush() {
            guard let name = current else { return }
            creators[name] = Creator(entries)
            if lowercased[name.lowercased()] == nil { lowercased[name.lowercased()] = name }
            names.append(name)
        }
        for line in tableLines(Self.privateText) {
            if line.utf8.first == UInt8(ascii: "@") {
                flush()
                current = String(line.dropFirst())
                entries = []
                continue
            }
            let f = splitASCII(line, UInt8(ascii: "|"))
            precondition(f.count == 5 && current != nil, "bad line in the private dictionary table: \(line)")
            let (tag, mask) = parsePattern(f[0])
            entries.append(
                DictionaryEntry(
                    tag: tag, mask: mask, vrs: parseVRs(f[1]), vm: String(f[2]), keyword: "", name: String(f[4]),
                    isRetired: f[3] == "1"))
        }
        flush()
        self.creators = creators
        creatorsByLowercasedName = lowercased
        creatorNames = names
    }

    /// The dictionary of `creator`: leading and trailing spaces and NULs are ignored (LO padding, PS3.5 §6.2);
    /// an exact match first, then a case-insensitive one.
    func creator(_ creator: String) -> Creator? {
        let trimmed = trimPadding(creator)
        if let found = creators[trimmed] { return found }
        guard let name = creatorsByLowercasedName[trimmed.lowercased()] else { return nil }
        return creators[name]
    }
}

/// `text` without leading and trailing spaces and NULs (padding of DICOM string values, PS3.5 §6.2).
func trimPadding(_ text: String) -> String {
    if let first = text.utf8.first, let last = text.utf8.last, first != 0x20, first != 0, last != 0x20, last != 0 {
        return text
    }
    let isPadding: (Character) -> Bool = { $0 == " " || $0 == "\0" }
    guard let first = text.firstIndex(where: { !isPadding($0) }) else { return "" }
    let last = text.lastIndex(where: { !isPadding($0) })!
    return String(text[first...last])
}
