/// The 32-bit value length of an element or item, with the undefined length
/// (FFFFFFFFH) spelled out as a case (PS3.5 §7.1).
public enum ValueLength: Hashable, Sendable, CustomStringConvertible {
    /// A defined length in bytes.
    case defined(UInt32)
    /// Undefined length: the value ends with a delimitation item.
    case undefined

    /// Decodes the 32-bit length field.
    @inlinable public init(raw: UInt32) {
        self = raw == UInt32.max ? .undefined : .defined(raw)
    }

    /// The encoded 32-bit field.
    @inlinable public var raw: UInt32 {
        switch self {
        case .defined(let n): n
        case .undefined: UInt32.max
        }
    }

    /// The defined length, if any.
    @inlinable public var defined: UInt32? {
        if case .defined(let n) = self { return n }
        return nil
    }

    public var description: String {
        switch self {
        case .defined(let n): String(n)
        case .undefined: "undefined"
        }
    }
}
