import DICOMCore

/// De-identification of a parse event stream by the Basic Application Level Confidentiality Profile (PS3.15
/// Annex E, Table E.1-1), for WADO-URI `anonymize=yes` (PS3.18 §9.4.1.2.1): identifying attributes removed
/// (X), emptied (Z) or replaced with a dummy (D), every UID of the table replaced (U) consistently through
/// `uidMapper`, all private attributes removed, at any depth; then Patient Identity Removed (0012,0062) "YES"
/// and De-identification Method (0012,0063) recorded. Burned-in annotation (0028,0301) "YES" cannot be
/// cleaned (the Clean Pixel Data Option needs knowledge of where the text is), so it is refused.
public struct Deidentifier {
    /// What happens to an attribute.
    public enum Action: Sendable {
        /// X: removed.
        case remove
        /// Z: kept with an empty value.
        case empty
        /// D: replaced with a dummy value.
        case dummy(String)
        /// U: the UID replaced, consistently.
        case uid
    }

    /// Refused input.
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The attributes of Table E.1-1 Lantern acts on, by tag.
    public static let basicProfile: [UInt32: Action] = {
        var table: [UInt32: Action] = [:]
        let removed: [UInt32] = [
            0x0008_0080, 0x0008_0081, 0x0008_0082, 0x0008_0092, 0x0008_0094, 0x0008_0096, 0x0008_1010, 0x0008_1030,
            0x0008_103E, 0x0008_1040, 0x0008_1048, 0x0008_1049, 0x0008_1050, 0x0008_1052, 0x0008_1060, 0x0008_1062,
            0x0008_1070, 0x0008_1072, 0x0008_1080, 0x0008_1084, 0x0008_1111, 0x0008_1120, 0x0008_2111, 0x0008_4000,
            0x0010_0021, 0x0010_0032, 0x0010_0050, 0x0010_0101, 0x0010_0102, 0x0010_1000, 0x0010_1001, 0x0010_1002,
            0x0010_1005, 0x0010_1010, 0x0010_1020, 0x0010_1040, 0x0010_1060, 0x0010_1080, 0x0010_1081, 0x0010_1090,
            0x0010_2000, 0x0010_2110, 0x0010_2150, 0x0010_2152, 0x0010_2154, 0x0010_2160, 0x0010_2180, 0x0010_21A0,
            0x0010_21B0, 0x0010_21C0, 0x0010_21D0, 0x0010_21F0, 0x0010_2203, 0x0010_2297, 0x0010_2299, 0x0010_4000,
            0x0018_1000, 0x0018_1002, 0x0018_1004, 0x0018_1005, 0x0018_1007, 0x0018_1008, 0x0018_1030, 0x0018_4000,
            0x0018_9424, 0x0018_A003, 0x0020_3401, 0x0020_3406, 0x0020_4000, 0x0020_9158, 0x0032_0012, 0x0032_1020,
            0x0032_1021, 0x0032_1030, 0x0032_1032, 0x0032_1033, 0x0032_1060, 0x0032_1070, 0x0032_4000, 0x0038_0004,
            0x0038_0010, 0x0038_0011, 0x0038_001E, 0x0038_0020, 0x0038_0021, 0x0038_0040, 0x0038_0050, 0x0038_0060,
            0x0038_0061, 0x0038_0062, 0x0038_0300, 0x0038_0400, 0x0038_0500, 0x0038_4000, 0x0040_0001, 0x0040_0002,
            0x0040_0003, 0x0040_0004, 0x0040_0005, 0x0040_0006, 0x0040_0007, 0x0040_000B, 0x0040_0010, 0x0040_0011,
            0x0040_0012, 0x0040_0241, 0x0040_0242, 0x0040_0243, 0x0040_0244, 0x0040_0245, 0x0040_0250, 0x0040_0251,
            0x0040_0253, 0x0040_0254, 0x0040_0275, 0x0040_0280, 0x0040_0555, 0x0040_1001, 0x0040_1002, 0x0040_1004,
            0x0040_1005, 0x0040_1010, 0x0040_1011, 0x0040_1102, 0x0040_1103, 0x0040_1400, 0x0040_2001, 0x0040_2008,
            0x0040_2009, 0x0040_2010, 0x0040_2400, 0x0040_3001, 0x0040_4036, 0x0040_A027, 0x0040_A078, 0x0040_A07A,
            0x0040_A07C, 0x0040_A123, 0x0040_A352, 0x0040_A353, 0x0040_A354, 0x0040_A358, 0x0040_A730, 0x0070_0084,
            0x0070_0086, 0x0088_0200, 0x0088_0904, 0x0088_0906, 0x0088_0910, 0x0088_0912, 0x0400_0100, 0x0400_0402,
            0x0400_0403, 0x0400_0404, 0x0400_0550, 0x0400_0561, 0x2030_0020, 0x3006_0002, 0x3006_0004, 0x3006_0006,
            0x3006_0008, 0x300A_0002, 0x300A_0003, 0x300A_0004, 0x300A_0006, 0x300A_0007, 0x300E_0008, 0x4000_0010,
            0x4000_4000, 0x4008_0042, 0x4008_0102, 0x4008_010A, 0x4008_010B, 0x4008_010C, 0x4008_0111, 0x4008_0114,
            0x4008_0115, 0x4008_0118, 0x4008_0119, 0x4008_011A, 0x4008_0202, 0x4008_0300, 0x4008_4000, 0xFFFA_FFFA,
            0xFFFC_FFFC,
        ]
        for tag in removed { table[tag] = .remove }
        // Dates and times (no Retain Longitudinal Temporal Information option is claimed) and more people.
        let moreRemoved: [UInt32] = [
            0x0008_0021, 0x0008_0022, 0x0008_0024, 0x0008_0025, 0x0008_002A, 0x0008_0031, 0x0008_0032, 0x0008_0034,
            0x0008_0035, 0x0008_0051, 0x0008_009C, 0x0008_009D, 0x0008_0201, 0x0010_2155, 0x0018_700A, 0x0040_2016,
            0x0040_2017, 0x0040_4037, 0x0040_A121, 0x0040_A122, 0x0040_A120,
        ]
        for tag in moreRemoved { table[tag] = .remove }
        let emptied: [UInt32] = [
            0x0008_0020, 0x0008_0023, 0x0008_0030, 0x0008_0033, 0x0008_0050, 0x0008_0090, 0x0010_0020, 0x0010_0030,
            0x0010_0040, 0x0020_0010, 0x0040_A073, 0x0070_0001,
        ]
        for tag in emptied { table[tag] = .empty }
        table[0x0010_0010] = .dummy("ANONYMOUS")
        let uids: [UInt32] = [
            0x0002_0003, 0x0004_1511, 0x0008_0014, 0x0008_0018, 0x0008_0058, 0x0008_1155, 0x0008_1195, 0x0008_3010,
            0x0018_1002, 0x0018_100B, 0x0018_2042, 0x0020_000D, 0x0020_000E, 0x0020_0052, 0x0020_0200, 0x0020_9161,
            0x0020_9164, 0x0028_1199, 0x0028_1214, 0x0040_0554, 0x0040_4023, 0x0040_A124, 0x0040_A171, 0x0040_A172,
            0x0040_DB0C, 0x0040_DB0D, 0x0062_0021, 0x0064_0003, 0x0070_031A, 0x0070_1101, 0x0070_1102, 0x0088_0140,
            0x3006_0024, 0x3006_00C2, 0x300A_0013, 0x300A_0054, 0x300A_0609, 0x300A_0650, 0x300A_0700, 0x3010_0006,
            0x3010_000B, 0x3010_0013, 0x3010_0015, 0x3010_0031, 0x3010_003B, 0x3010_006E, 0x3010_006F,
        ]
        for tag in uids { table[tag] = .uid }
        return table
    }()

    private let uidMapper: @Sendable (String) -> String
    private var depth = 0
    private var inDataSet = false
    /// Depth of the sequence being skipped (removed), nil when none.
    private var skippingSequence: Int?
    private var skippingValue = false
    private var pending: [(UInt32, VR, String)] = [
        (0x0012_0062, .CS, "YES"), (0x0012_0063, .LO, "Basic Application Confidentiality Profile"),
    ]

    /// A de-identifier replacing UIDs with `uidMapper` (the same UID must map to the same UID).
    public init(uidMapper: @escaping @Sendable (String) -> String) {
        self.uidMapper = uidMapper
    }

    /// The events to write for `event`.
    public mutating func consume(_ event: ParseEvent) throws(Refused) -> [ParseEvent] {
        if let skip = skippingSequence {
            switch event {
            case .sequenceStart: depth += 1
            case .sequenceEnd:
                depth -= 1
                if depth == skip { skippingSequence = nil }
            default: break
            }
            return []
        }
        if skippingValue {
            if case .valueEnd = event { skippingValue = false }
            return []
        }
        var out: [ParseEvent] = []
        switch event {
        case .dataSetStart:
            inDataSet = true
            return [event]
        case .end where inDataSet:
            out += insertions(before: UInt32.max)
            return out + [event]
        case .element(let h, let bytes):
            if inDataSet && depth == 0 { out += insertions(before: h.tag.rawValue) }
            if skipNextEqual == h.tag.rawValue {
                skipNextEqual = nil
                return out
            }
            if h.tag.rawValue == 0x0028_0301, EventReplay.strings(h.tag, h.vr, bytes).first == "YES" {
                throw Refused(description: "the pixel data has burned-in annotation, which cannot be removed")
            }
            guard let replaced = replace(h, bytes) else { return out }
            return out + [replaced]
        case .elementStart(let h):
            if inDataSet && depth == 0 { out += insertions(before: h.tag.rawValue) }
            if h.tag.isPrivate || Self.action(h.tag) != nil {
                skippingValue = true
                guard let replaced = replace(h, []) else { return out }
                return out + [replaced]
            }
            return out + [event]
        case .sequenceStart(let h):
            if inDataSet && depth == 0 { out += insertions(before: h.tag.rawValue) }
            depth += 1
            if h.tag.isPrivate || Self.action(h.tag) != nil {
                skippingSequence = depth - 1
                return out
            }
            return out + [event]
        case .sequenceEnd:
            depth -= 1
            return [event]
        case .encapsulatedStart(let h), .bulkData(let h, _):
            if inDataSet && depth == 0 { out += insertions(before: h.tag.rawValue) }
            return out + [event]
        default:
            return [event]
        }
    }

    /// The action for `tag`: the table's, and for the repeating groups Curve Data (50xx, all removed) and
    /// Overlay Data and Comments (60xx,3000 and 60xx,4000, which can carry burned-in text).
    static func action(_ tag: Tag) -> Action? {
        if let action = basicProfile[tag.rawValue] { return action }
        if tag.group & 0xFF00 == 0x5000 { return .remove }
        if tag.group & 0xFF00 == 0x6000 && (tag.element == 0x3000 || tag.element == 0x4000) { return .remove }
        return nil
    }

    /// The element as the profile leaves it, nil when removed.
    private func replace(_ h: ElementHeader, _ bytes: [UInt8]) -> ParseEvent? {
        if h.tag.isPrivate { return nil }
        guard let action = Self.action(h.tag) else { return .element(h, bytes) }
        switch action {
        case .remove: return nil
        case .empty: return Self.element(h.tag, h.vr, "")
        case .dummy(let value): return Self.element(h.tag, h.vr, value)
        case .uid:
            let values = EventReplay.strings(h.tag, h.vr, bytes)
            return Self.element(h.tag, h.vr, values.map { $0.isEmpty ? "" : uidMapper($0) }.joined(separator: "\\"))
        }
    }

    private mutating func insertions(before tag: UInt32) -> [ParseEvent] {
        var out: [ParseEvent] = []
        while let next = pending.first, next.0 < tag {
            out.append(Self.element(Tag(next.0), next.1, next.2))
            pending.removeFirst()
        }
        // An attribute of the insertions already present is replaced by ours.
        if let next = pending.first, next.0 == tag {
            out.append(Self.element(Tag(next.0), next.1, next.2))
            pending.removeFirst()
            skipNextEqual = tag
        }
        return out
    }

    private var skipNextEqual: UInt32?

    private static func element(_ tag: Tag, _ vr: VR, _ value: String) -> ParseEvent {
        EventReplay.events(of: .text(tag, vr, value))[0]
    }
}
