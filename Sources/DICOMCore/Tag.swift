/// A DICOM attribute tag: a (group, element) pair packed as `group << 16 | element` (PS3.5 §7.1).
///
/// Tags order by group, then element, which is the order data set elements are encoded in (PS3.5 §7.1).
public struct Tag: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed value, `group << 16 | element`.
    public let rawValue: UInt32

    /// Creates a tag from its packed value.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Creates a tag from its packed value.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Creates a tag from a group and an element number.
    @inlinable public init(group: UInt16, element: UInt16) {
        self.rawValue = UInt32(group) << 16 | UInt32(element)
    }

    /// Parses `GGGGEEEE`, `(GGGG,EEEE)` or `GGGG,EEEE` (hexadecimal, case-insensitive).
    public init?(hex text: some StringProtocol) {
        var digits = Substring(text)
        if digits.hasPrefix("(") && digits.hasSuffix(")") { digits = digits.dropFirst().dropLast() }
        let compact = digits.filter { $0 != "," }
        guard compact.count == 8, compact.allSatisfy(\.isHexDigit), let value = UInt32(compact, radix: 16) else {
            return nil
        }
        self.rawValue = value
    }

    /// The group number.
    @inlinable public var group: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }
    /// The element number.
    @inlinable public var element: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// Odd groups other than 0001, 0003, 0005, 0007 and FFFF hold private data elements (PS3.5 §7.8.1).
    @inlinable public var isPrivate: Bool {
        group & 1 == 1 && group > 0x0007 && group != 0xFFFF
    }

    /// A private creator element reserves a block: (gggg,0010–00FF) in a private group (PS3.5 §7.8.1).
    @inlinable public var isPrivateCreator: Bool { isPrivate && element >= 0x0010 && element <= 0x00FF }

    /// For a private data element (gggg,xxEE), the creator element (gggg,00xx) that reserves its block.
    public var privateCreatorTag: Tag? {
        guard isPrivate, element >= 0x1000 else { return nil }
        return Tag(group: group, element: element >> 8)
    }

    /// Group length elements (gggg,0000) (PS3.5 §7.2).
    @inlinable public var isGroupLength: Bool { element == 0 }

    /// `true` for the file meta information group 0002 (PS3.10 §7.1).
    @inlinable public var isFileMeta: Bool { group == 0x0002 }

    /// The eight upper-case hexadecimal digits `GGGGEEEE`, as DICOM JSON and XML write tags.
    public var hexString: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// `(GGGG,EEEE)`.
    public var description: String {
        let h = hexString
        return "(\(h.prefix(4)),\(h.suffix(4)))"
    }

    @inlinable public static func < (lhs: Tag, rhs: Tag) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Tag {
    /// Item (FFFE,E000) (PS3.5 §7.5).
    public static let item = Tag(0xFFFE_E000)
    /// Item Delimitation Item (FFFE,E00D).
    public static let itemDelimitation = Tag(0xFFFE_E00D)
    /// Sequence Delimitation Item (FFFE,E0DD).
    public static let sequenceDelimitation = Tag(0xFFFE_E0DD)
    /// Pixel Data (7FE0,0010).
    public static let pixelData = Tag(0x7FE0_0010)
    /// Float Pixel Data (7FE0,0008).
    public static let floatPixelData = Tag(0x7FE0_0008)
    /// Double Float Pixel Data (7FE0,0009).
    public static let doubleFloatPixelData = Tag(0x7FE0_0009)
    /// Specific Character Set (0008,0005).
    public static let specificCharacterSet = Tag(0x0008_0005)
    /// SOP Class UID (0008,0016).
    public static let sopClassUID = Tag(0x0008_0016)
    /// SOP Instance UID (0008,0018).
    public static let sopInstanceUID = Tag(0x0008_0018)
    /// Study Instance UID (0020,000D).
    public static let studyInstanceUID = Tag(0x0020_000D)
    /// Series Instance UID (0020,000E).
    public static let seriesInstanceUID = Tag(0x0020_000E)
    /// Encapsulated Document (0042,0011).
    public static let encapsulatedDocument = Tag(0x0042_0011)
    /// File Meta Information Group Length (0002,0000).
    public static let fileMetaInformationGroupLength = Tag(0x0002_0000)
    /// Transfer Syntax UID (0002,0010).
    public static let transferSyntaxUID = Tag(0x0002_0010)
    /// Extended Offset Table (7FE0,0001).
    public static let extendedOffsetTable = Tag(0x7FE0_0001)
    /// Extended Offset Table Lengths (7FE0,0002).
    public static let extendedOffsetTableLengths = Tag(0x7FE0_0002)
}
