/// Turns a query value into a ``QIDOMatching`` for the attribute's VR, following PS3.4 §C.2.2.2 and the value
/// formats of PS3.5 Table 6.2-1. Errors name the parameter, never the value.
public enum QIDOValueSyntax {
    /// VRs that allow Wild Card Matching (PS3.4 §C.2.2.2.4).
    static let wildcardVRs: Set<VR> = [.AE, .CS, .LO, .LT, .PN, .SH, .ST, .UC, .UR, .UT]
    /// Text VRs whose values may legitimately contain `\` as a character (single-valued VRs, PS3.5 §6.2).
    static let backslashTextVRs: Set<VR> = [.LT, .ST, .UT, .UR]

    static func matching(
        for value: String, path: QIDOAttributePath, parameter: String
    ) throws(QIDOQueryError) -> QIDOMatching {
        let vr = path.vr
        func fail(_ code: QIDOQueryError.Code, _ message: String) -> QIDOQueryError {
            QIDOQueryError(code, parameter: parameter, message)
        }
        switch vr {
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN:
            // Not even Universal Matching: bulk data is retrieved by WADO-RS, never returned by a search.
            throw fail(.unsupportedMatching, "Attributes of VR \(vr) cannot be matched (PS3.4 §C.2.2.2).")
        default: break
        }
        if value.isEmpty { return .universal }
        switch vr {
        case .SQ:
            throw fail(
                .unsupportedMatching,
                "A sequence takes no value; match an attribute inside it with a dotted path (PS3.4 §C.2.2.2.6).")
        default: break
        }
        let text = Substring(value)
        if wildcardVRs.contains(vr) {
            if text.allSatisfy({ $0 == "*" }) { return .universal }
            // A list: `\` separates values in every VR that cannot hold one in a value (LT, ST, UT and UR can);
            // `,` too in CS, whose values cannot hold a comma either. Person names keep single values.
            let separators: Set<Character> = vr == .CS ? ["\\", ","] : ["\\"]
            if !backslashTextVRs.contains(vr), text.contains(where: separators.contains) {
                guard vr != .PN else {
                    throw fail(
                        .unsupportedMatching,
                        "Several values ('\\') are only allowed for UID and text lists, not person names.")
                }
                let values = text.split(omittingEmptySubsequences: false, whereSeparator: separators.contains)
                guard !values.contains(where: { $0.isEmpty || QIDOWildcardPattern.hasWildcard($0) }) else {
                    throw fail(
                        .unsupportedMatching,
                        "A list of values takes neither empty values nor wildcards (PS3.4 §C.2.2.2).")
                }
                return .textList(values.map(String.init))
            }
            if QIDOWildcardPattern.hasWildcard(text) { return .wildcard(QIDOWildcardPattern(text)) }
            return vr == .PN ? .personName(value) : .text(value)
        }
        if QIDOWildcardPattern.hasWildcard(text) {
            throw fail(
                .unsupportedMatching,
                "Wildcards are only allowed for VRs AE, CS, LO, LT, PN, SH, ST, UC, UR, UT (PS3.4 §C.2.2.2.4).")
        }
        switch vr {
        case .UI:
            return try uidMatching(text, fail: fail)
        case .DA:
            switch QIDORangeSyntax.parse(text, bound: { QIDODate($0) }) {
            case .single(let date)?: return .date(date)
            case .range(let range)?: return .dateRange(range)
            case nil: throw fail(.invalidValue, "Expected a date YYYYMMDD or a range of them (PS3.4 §C.2.2.2.5).")
            }
        case .TM:
            switch QIDORangeSyntax.parse(text, bound: { QIDOTime($0) }) {
            case .single(let time)?: return .time(time)
            case .range(let range)?: return .timeRange(range)
            case nil:
                throw fail(.invalidValue, "Expected a time HH[MM[SS[.F{1-6}]]] or a range of them (PS3.4 §C.2.2.2.5).")
            }
        case .DT:
            switch QIDORangeSyntax.parseDateTime(text) {
            case .single(let dateTime)?: return .dateTime(dateTime)
            case .range(let range)?: return .dateTimeRange(range)
            case nil:
                throw fail(
                    .invalidValue,
                    "Expected a date-time YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX] or an unambiguous range of them.")
            }
        case .IS, .SS, .US, .SL, .UL, .SV, .UV:
            guard let number = integer(text) else { throw fail(.invalidValue, "Expected an integer.") }
            return .integer(number)
        case .DS, .FL, .FD:
            guard let number = decimal(text) else { throw fail(.invalidValue, "Expected a decimal number.") }
            return .decimal(number)
        case .AT:
            guard text.utf8.count == 8, text.utf8.allSatisfy(\.isHexDigit), let tag = Tag(hex: text) else {
                throw fail(.invalidValue, "Expected a tag as eight hexadecimal digits GGGGEEEE.")
            }
            return .attributeTag(tag)
        default:
            throw fail(.unsupportedMatching, "Attributes of VR \(vr) cannot be matched (PS3.4 §C.2.2.2).")
        }
    }

    /// One UID, or a list separated by `\` or `,` (either separator, even mixed, is accepted).
    private static func uidMatching(
        _ text: Substring, fail: (QIDOQueryError.Code, String) -> QIDOQueryError
    ) throws(QIDOQueryError) -> QIDOMatching {
        let uids = text.split(omittingEmptySubsequences: false) { $0 == "\\" || $0 == "," }.map(String.init)
        guard uids.allSatisfy(isValidUID) else {
            throw fail(.invalidValue, "Expected a UID or a list of UIDs separated by ',' or '\\' (PS3.5 §9.1).")
        }
        return uids.count == 1 ? .uid(uids[0]) : .uidList(uids)
    }

    /// A UID of PS3.5 §9.1: 1 to 64 characters, components of digits separated by `.`, no leading zero in a
    /// component of more than one digit (``UIDValidation``, the one check the server and the store share).
    public static func isValidUID(_ text: some StringProtocol) -> Bool {
        UIDValidation.isValid(text)
    }

    /// An optionally signed run of decimal digits (`+7`, `-3`, `007`).
    private static func integer(_ text: Substring) -> Int64? { Int64(text) }

    /// A decimal in the DS form: sign, digits, optional fraction, optional exponent; finite.
    private static func decimal(_ text: Substring) -> Double? {
        let allowed = Set("0123456789+-.eE".utf8)
        guard !text.isEmpty, text.utf8.allSatisfy(allowed.contains), let value = Double(text), value.isFinite else {
            return nil
        }
        return value
    }
}
