/// Elements built from one value, for code that makes data sets (responses, event reports, requests).
extension DataElement {
    /// A text element of `vr` holding `value`, padded to even length as PS3.5 §6.2 says (UI with NUL, the
    /// others with a space).
    public static func text(_ tag: Tag, _ vr: VR, _ value: String) -> DataElement {
        var bytes = Array(value.utf8)
        if bytes.count % 2 == 1 { bytes.append(vr == .UI ? 0 : 0x20) }
        return DataElement(tag, vr, bytes: bytes)
    }

    /// A US element holding `value`, little endian.
    public static func unsignedShort(_ tag: Tag, _ value: UInt16) -> DataElement {
        DataElement(tag, .US, bytes: [UInt8(value & 0xFF), UInt8(value >> 8)])
    }
}
