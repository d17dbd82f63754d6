/// Value Representations (PS3.5 §6.2, Table 6.2-1).
public enum VR: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC,
        UI, UL, UN, UR, US, UT, UV

    /// Reads a VR from its two ASCII bytes; `nil` if they name no VR.
    @inlinable public init?(byte0: UInt8, byte1: UInt8) {
        guard (0x41...0x5A).contains(byte0), (0x41...0x5A).contains(byte1) else { return nil }
        guard let vr = VR.byCode[Int(byte0 - 0x41) * 26 + Int(byte1 - 0x41)] else { return nil }
        self = vr
    }

    /// VRs indexed by `(byte0 - 'A') * 26 + (byte1 - 'A')`: the parser's lookup, with no string made.
    @usableFromInline static let byCode: [VR?] = {
        var table = [VR?](repeating: nil, count: 26 * 26)
        for vr in VR.allCases {
            let u = Array(vr.rawValue.utf8)
            table[Int(u[0] - 0x41) * 26 + Int(u[1] - 0x41)] = vr
        }
        return table
    }()

    /// The two ASCII bytes of the code.
    public var bytes: (UInt8, UInt8) {
        let u = Array(rawValue.utf8)
        return (u[0], u[1])
    }

    public var description: String { rawValue }

    /// VRs whose explicit-VR encoding has two reserved bytes and a 32-bit length (PS3.5 §7.1.2).
    public var hasLongExplicitLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .UC, .UN, .UR, .UT, .SV, .UV: true
        default: false
        }
    }

    /// Character-string VRs, whose values are text in the data set's character set.
    public var isString: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: true
        default: false
        }
    }

    /// String VRs that may be written in a character set other than the default repertoire
    /// (PS3.5 §6.1.2.3: SH, LO, UC, ST, LT, UT, PN).
    public var usesSpecificCharacterSet: Bool {
        switch self {
        case .SH, .LO, .UC, .ST, .LT, .UT, .PN: true
        default: false
        }
    }

    /// Whether the backslash separates values. Never in ST, LT, UT and UR (PS3.5 §6.2), whose values are single.
    public var allowsMultipleValues: Bool {
        switch self {
        case .ST, .LT, .UT, .UR, .SQ: false
        default: true
        }
    }

    /// Binary VRs holding bulk-capable data (OB, OD, OF, OL, OV, OW, UN).
    public var isBulkBinary: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN: true
        default: false
        }
    }

    /// Size of one binary number for numeric VRs (1 for OB/UN, 0 for text and SQ); used to swap byte order.
    public var wordSize: Int {
        switch self {
        case .AT: 2  // a pair of 16-bit values
        case .OW, .SS, .US: 2
        case .OF, .FL, .OL, .SL, .UL: 4
        case .OD, .FD, .OV, .SV, .UV: 8
        case .OB, .UN: 1
        default: 0
        }
    }

    /// The padding byte that makes a value even-length: space for strings, NUL for UI and binary (PS3.5 §6.2).
    public var paddingByte: UInt8 {
        if self == .UI { return 0 }
        return isString ? 0x20 : 0
    }
}
