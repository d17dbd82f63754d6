import DICOMCore
import DICOMDictionary

/// A search built from a DICOM identifier, what a C-FIND request carries (PS3.4 §C.4.1.1.3, §C.2.2.2), so that
/// C-FIND and QIDO-RS share one query model, one plan and one evaluator.
///
/// Reading of the identifier:
/// - Query/Retrieve Level (0008,0052) chooses the level: `STUDY`, `SERIES` or `IMAGE` (Study Root, PS3.4
///   §C.6.2); `PATIENT` and anything else are ``QIDOQueryError/Code/invalidScope``. The searches are
///   relational over all studies (``QIDOScope/allStudies`` and its kin): unique keys of the levels above
///   (Study Instance UID at the series level, …) are ordinary matching keys, which the hierarchical search
///   of §C.4.1.2.2 also matches.
/// - Every other attribute is a return key (``QIDOQuery/includeFields``) and, unless its value is empty, a
///   matching key. Its value is read as the VR requires, exactly as a QIDO-RS query value
///   (``QIDOValueSyntax``): `*` and `?` are wildcards (§C.2.2.2.4), `-` makes DA, TM and DT ranges (§C.2.2.2.5),
///   `\` separates UIDs of List of UID Matching (§C.2.2.2.2). Text is decoded in the identifier's Specific
///   Character Set (0008,0005) and stripped of padding; binary numbers (US, SS, UL, SL, UV, SV, FL, FD) and AT
///   take their value's text form.
/// - A sequence with no item, or with one empty item, is a return key for the whole sequence (Universal
///   Matching); one item with attributes matches them within one item (Sequence Matching, §C.2.2.2.6); more
///   than one item is ``QIDOQueryError/Code/unsupportedMatching``.
/// - Specific Character Set and Timezone Offset From UTC (0008,0201) say how to read the values: never matched.
///   Query/Retrieve View (0008,0053), private attributes and group lengths are ignored.
/// - No paging: ``offset`` is 0, ``limit`` `nil`; the options of PS3.18 §8.3.4 keep their defaults.
extension QIDOQuery {
    /// The search an identifier describes; throws ``QIDOQueryError`` naming the attribute at fault (never its
    /// value).
    public init(identifier: DataSet) throws(QIDOQueryError) {
        let level: QIDOScope
        switch Self.levelText(identifier) {
        case "STUDY": level = .allStudies
        case "SERIES": level = .allSeries
        case "IMAGE": level = .allInstances
        default:
            throw QIDOQueryError(
                .invalidScope, parameter: "QueryRetrieveLevel",
                "Query/Retrieve Level (0008,0052) must be STUDY, SERIES or IMAGE (Study Root, PS3.4 §C.6.2).")
        }
        var parser = QIDOQueryParser()
        var returned: [QIDOAttributePath] = []
        try Self.read(
            identifier, under: [], characterSet: .default, keys: &parser.keys, returned: &returned)
        parser.includeFields = .attributes(returned)
        self.init(parser: parser, scope: level)
    }

    private static let ignored: Set<Tag> = [
        .specificCharacterSet, Tag.queryRetrieveLevel, Tag.queryRetrieveView, Tag.timezoneOffsetFromUTC,
    ]

    private static func levelText(_ identifier: DataSet) -> String? {
        guard case .bytes(let bytes)? = identifier[Tag.queryRetrieveLevel]?.value else { return nil }
        return QIDOStoredValues.trim(Substring(String(decoding: bytes, as: UTF8.self)), vr: .CS)
    }

    private static func read(
        _ dataSet: DataSet, under parents: [Tag], characterSet inherited: SpecificCharacterSet,
        keys: inout [QIDOMatchKey], returned: inout [QIDOAttributePath]
    ) throws(QIDOQueryError) {
        // An item without (0008,0005) reads as its parent (PS3.5 §6.1.2.5.3).
        let characterSet =
            dataSet[.specificCharacterSet]?.value.bytes.map { SpecificCharacterSet(encodedValue: $0) } ?? inherited
        for element in dataSet {
            let tag = element.tag
            if tag.isPrivate || tag.isGroupLength || (parents.isEmpty && ignored.contains(tag)) { continue }
            if !parents.isEmpty, tag == .specificCharacterSet { continue }
            guard DataDictionary.entry(for: tag) != nil else { continue }
            let path = QIDOAttributePath(known: parents + [tag])
            let name = path.description
            if case .sequence(let items) = element.value {
                guard items.count <= 1 else {
                    throw QIDOQueryError(
                        .unsupportedMatching, parameter: name,
                        "Sequence Matching takes a sequence of one item (PS3.4 §C.2.2.2.6).")
                }
                if let item = items.first, !item.isEmpty {
                    try read(item, under: parents + [tag], characterSet: characterSet, keys: &keys, returned: &returned)
                } else {
                    returned.append(path)
                    keys.append(QIDOMatchKey(path: path, matching: .universal))
                }
                continue
            }
            returned.append(path)
            let value = try text(of: element, vr: element.vr == .UN ? path.vr : element.vr, characterSet, name)
            keys.append(
                QIDOMatchKey(
                    path: path, matching: try QIDOValueSyntax.matching(for: value, path: path, parameter: name)))
        }
    }

    /// The value as a QIDO-RS query would write it: decoded text without padding (each value trimmed, joined
    /// by `\`), or a binary number / tag in its text form.
    private static func text(
        of element: DataElement, vr: VR, _ characterSet: SpecificCharacterSet, _ name: String
    ) throws(QIDOQueryError) -> String {
        guard case .bytes(let bytes) = element.value, !bytes.isEmpty else { return "" }
        func invalid() -> QIDOQueryError {
            QIDOQueryError(.invalidValue, parameter: name, "The value cannot be read in its VR (PS3.5 §6.2).")
        }
        if vr.isString {
            guard let decoded = try? characterSet.decode(bytes, vr: vr) else { throw invalid() }
            let values =
                vr.allowsMultipleValues && !QIDOValueSyntax.backslashTextVRs.contains(vr)
                ? decoded.split(separator: "\\", omittingEmptySubsequences: false) : [Substring(decoded)]
            let trimmed = values.map { QIDOStoredValues.trim($0, vr: vr) }
            return trimmed.allSatisfy(\.isEmpty) ? "" : trimmed.joined(separator: "\\")
        }
        let probe = DataElement(element.tag, vr, bytes: bytes)
        switch vr {
        case .US, .SS, .UL, .SL, .UV, .SV:
            guard let values = QIDOStoredValues.integers(probe, vr: vr), values.count == 1, let value = values[0]
            else { throw invalid() }
            return String(value)
        case .FL, .FD:
            guard let values = QIDOStoredValues.decimals(probe, vr: vr), values.count == 1 else { throw invalid() }
            return "\(values[0])"
        case .AT:
            guard let tags = QIDOStoredValues.tags(probe), tags.count == 1 else { throw invalid() }
            return tags[0].hexString
        default:
            // Bulk VRs: QIDOValueSyntax refuses them with the reason.
            return ""
        }
    }
}
