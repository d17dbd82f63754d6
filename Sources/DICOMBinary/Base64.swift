/// Base64 (RFC 4648 §4) for InlineBinary values, streaming: bytes can arrive in chunks of any size.
public struct Base64StreamEncoder: Sendable {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private var carry: [UInt8] = []

    /// Creates an encoder.
    public init() {}

    /// Encodes `bytes`, appending complete 4-character groups to `out` and keeping up to two bytes back.
    public mutating func encode<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var group = carry
        carry = []
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        while let b = iterator.next() {
            group.append(b)
            if group.count == 3 {
                Self.emit(group, into: &out)
                group.removeAll(keepingCapacity: true)
            }
        }
        carry = group
    }

    /// Writes the final group with padding.
    public mutating func finish(into out: inout [UInt8]) {
        if !carry.isEmpty { Self.emit(carry, into: &out) }
        carry = []
    }

    private static func emit(_ g: [UInt8], into out: inout [UInt8]) {
        let b0 = g[0]
        let b1 = g.count > 1 ? g[1] : 0
        let b2 = g.count > 2 ? g[2] : 0
        out.append(alphabet[Int(b0 >> 2)])
        out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        out.append(g.count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : 0x3D)
        out.append(g.count > 2 ? alphabet[Int(b2 & 0x3F)] : 0x3D)
    }

    /// Encodes a whole value.
    public static func encode(_ bytes: [UInt8]) -> String {
        var encoder = Base64StreamEncoder()
        var out: [UInt8] = []
        encoder.encode(bytes, into: &out)
        encoder.finish(into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Base64 decoding (RFC 4648 §4), ignoring white space; `nil` for malformed input.
public enum Base64Decoder {
    private static let table: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = Int8(i)
        }
        return t
    }()

    /// Decodes `text`.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        var padding = 0
        for c in text.utf8 {
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { continue }
            if c == 0x3D {
                padding += 1
                continue
            }
            guard padding == 0 else { return nil }
            let v = table[Int(c)]
            guard v >= 0 else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        guard padding <= 2 else { return nil }
        return out
    }
}
