/// An attribute named by a QIDO-RS query: one tag at the top level, or a path through sequences, such as
/// `RequestAttributesSequence.ScheduledProcedureStepID` (PS3.18 §8.3.4.1, the `attribute` rule of the ABNF:
/// attribute IDs separated by `.`, each a keyword of PS3.6 Table 6-1 or eight hexadecimal digits `GGGGEEEE`).
///
/// Every tag but the last is a sequence (SQ); the last one's VR is ``vr``.
public struct QIDOAttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The tags from the top level down; never empty.
    public let tags: [Tag]
    /// The VR of the last tag (the first VR the dictionary lists when it allows several, e.g. US for "US or SS").
    public let vr: VR

    /// The path from trusted tags, e.g. for the default return attributes; the VR comes from the dictionary.
    init(known tags: [Tag]) {
        self.tags = tags
        self.vr = DataDictionary.vr(for: tags[tags.count - 1]) ?? .UN
    }

    /// The attribute the path ends at.
    public var tag: Tag { tags[tags.count - 1] }

    /// Whether the path goes into a sequence (PS3.4 §C.2.2.2.6 Sequence Matching).
    public var isNested: Bool { tags.count > 1 }

    /// The path of the sequence holding the last attribute, or `nil` at the top level.
    public var parent: [Tag]? { isNested ? Array(tags.dropLast()) : nil }

    /// Keywords joined by `.`, falling back to `GGGGEEEE` for tags without one.
    public var description: String {
        tags.map { DataDictionary.keyword(for: $0) ?? $0.hexString }.joined(separator: ".")
    }

    /// Parses `text` as `attribute-id *("." attribute-id)` (PS3.18 §8.3.4.1). Each component is a tag when it is
    /// exactly eight hexadecimal digits, else a keyword (case-sensitive, as PS3.6 spells it). Private tags,
    /// group lengths and tags or keywords the dictionary does not know are rejected, as is a path whose
    /// inner components are not sequences.
    ///
    /// - Parameter parameter: the name to put in errors (usually `text` itself; `includefield` for its list).
    public static func parse(_ text: Substring, parameter: String) throws(QIDOQueryError) -> QIDOAttributePath {
        let components = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !components.contains(where: \.isEmpty) else {
            throw QIDOQueryError(
                .invalidAttributePath, parameter: parameter, "An attribute path has an empty component.")
        }
        var tags: [Tag] = []
        tags.reserveCapacity(components.count)
        for component in components {
            tags.append(try resolve(component, parameter: parameter))
        }
        for tag in tags.dropLast() where DataDictionary.vr(for: tag) != .SQ {
            throw QIDOQueryError(
                .invalidAttributePath, parameter: parameter,
                "Only sequences (VR SQ) may precede a '.' in an attribute path (PS3.18 §8.3.4.1).")
        }
        return QIDOAttributePath(known: tags)
    }

    private static func resolve(_ component: Substring, parameter: String) throws(QIDOQueryError) -> Tag {
        let tag: Tag?
        if component.utf8.count == 8, component.utf8.allSatisfy(\.isHexDigit) {
            tag = Tag(hex: component)
        } else {
            tag = DataDictionary.tag(forKeyword: String(component))
        }
        guard let tag, !tag.isPrivate, !tag.isGroupLength, let entry = DataDictionary.entry(for: tag),
            !entry.vrs.isEmpty
        else {
            let shown = component.count > 64 ? component.prefix(64) + "…" : component
            throw QIDOQueryError(
                .unknownAttribute, parameter: parameter,
                "'\(shown)' is not a public attribute keyword or tag of the data dictionary (PS3.6 Table 6-1).")
        }
        return tag
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
