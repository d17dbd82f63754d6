#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Makes new UIDs under the `2.25` root, whose second part is a random 128-bit number written in decimal
/// (PS3.5 §B.2, ISO/IEC 9834-8), so no registered organization root is needed.
public enum UIDGenerator {
    /// A new UID such as `2.25.329800735698586629295641978511506172918`.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var value = UInt128(generator.next() as UInt64) << 64 | UInt128(generator.next() as UInt64)
        value &= ~(UInt128(0xF) << 76)  // UUID version 4 (random) in bits 76-79, as 9834-8 describes
        value |= UInt128(0x4) << 76
        value &= ~(UInt128(0xC0) << 56)  // RFC 4122 variant in bits 62-63
        value |= UInt128(0x80) << 56
        return "2.25.\(value)"
    }
}
