/// Base64 (RFC 4648 §4) for InlineBinary values, streaming: bytes can arrive in chunks of any size.
public struct Base64StreamEncoder: Sendable {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    /// Up to two bytes waiting for a complete group.
    private var carry0: UInt8 = 0
    private var carry1: UInt8 = 0
    private var carryCount = 0

    /// Creates an encoder.
    public init() {}

    /// Encodes `bytes`, appending complete 4-character groups to `out` and keeping up to two bytes back.
    public mutating func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Encodes `bytes`, appending complete 4-character groups to `out` and keeping up to two bytes back.
    public mutating func encode(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Encodes any byte collection (copied to contiguous memory if it is not).
    public mutating func encode<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ encode($0, into: &out) }) { return done }
        Array(bytes).withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Encodes the bytes at `input`.
    public mutating func encode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        let n = input.count
        // Complete a group started by an earlier chunk.
        if carryCount == 1 {
            guard i < n else { return }
            carry1 = input[i]
            i += 1
            carryCount = 2
        }
        if carryCount == 2 {
            guard i < n else { return }
            Self.emit(carry0, carry1, input[i], 3, into: &out)
            i += 1
            carryCount = 0
        }
        let groups = (n - i) / 3
        if groups > 0 {
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: groups * 4))
            out.withUnsafeMutableBufferPointer { o in
                Self.alphabet.withUnsafeBufferPointer { a in
                    var w = start
                    var r = i
                    for _ in 0..<groups {
                        let b0 = input[r]
                        let b1 = input[r + 1]
                        let b2 = input[r + 2]
                        o[w] = a[Int(b0 >> 2)]
                        o[w + 1] = a[Int((b0 & 0x03) << 4 | b1 >> 4)]
                        o[w + 2] = a[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                        o[w + 3] = a[Int(b2 & 0x3F)]
                        w += 4
                        r += 3
                    }
                }
            }
            i += groups * 3
        }
        let rest = n - i
        if rest >= 1 {
            carry0 = input[i]
            carryCount = 1
        }
        if rest == 2 {
            carry1 = input[i + 1]
            carryCount = 2
        }
    }

    /// Writes the final group with padding.
    public mutating func finish(into out: inout [UInt8]) {
        if carryCount > 0 { Self.emit(carry0, carry1, 0, carryCount, into: &out) }
        carryCount = 0
    }

    private static func emit(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ count: Int, into out: inout [UInt8]) {
        out.append(alphabet[Int(b0 >> 2)])
        out.append(alphabet[Int((b0 & 0x03) << 4 | (count > 1 ? b1 >> 4 : 0))])
        out.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | (count > 2 ? b2 >> 6 : 0))] : 0x3D)
        out.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : 0x3D)
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
        for c in [0x20, 0x0A, 0x0D, 0x09] { t[c] = -2 }
        t[0x3D] = -3
        return t
    }()

    /// Decodes `text`.
    public static func decode(_ text: String) -> [UInt8]? {
        var copy = text
        return copy.withUTF8 { decode($0) }
    }

    /// Decodes `text`.
    public static func decode(_ text: Substring) -> [UInt8]? {
        var copy = text
        return copy.withUTF8 { decode($0) }
    }

    /// Decodes the base64 bytes at `input`.
    public static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var acc: UInt32 = 0
        var bits: UInt32 = 0
        var padding = 0
        var ok = true
        table.withUnsafeBufferPointer { t in
            for c in input {
                let v = t[Int(c)]
                if v >= 0 {
                    if padding > 0 {
                        ok = false
                        return
                    }
                    acc = acc << 6 | UInt32(v)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        out.append(UInt8(truncatingIfNeeded: acc >> bits))
                    }
                } else if v == -3 {
                    padding += 1
                } else if v == -1 {
                    ok = false
                    return
                }
            }
        }
        guard ok, padding <= 2 else { return nil }
        return out
    }
}
