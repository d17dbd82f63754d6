/// The name under which a stored object's bytes live in a ``BlobStore``: 32 lowercase hexadecimal digits,
/// random, never derived from UIDs (so an overwrite never collides with the bytes it replaces, and nothing
/// identifying appears in file names).
public struct BlobKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's text.
    public let rawValue: String

    /// Wraps a key read back from an index; `nil` unless it is 32 hexadecimal digits.
    public init?(_ rawValue: String) {
        guard rawValue.utf8.count == 32, rawValue.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    /// A fresh random key.
    public static func random() -> BlobKey {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
        for _ in 0..<2 {
            var word = g.next() as UInt64
            for _ in 0..<16 {
                out.append(hex[Int(word & 0xF)])
                word >>= 4
            }
        }
        return BlobKey(String(decoding: out, as: UTF8.self))!
    }

    public var description: String { rawValue }
}

/// The objects kept for one stored instance under its ``BlobKey``.
public enum BlobKind: String, Sendable, CaseIterable {
    /// The Part 10 bytes as received.
    case instance = "dcm"
    /// The instance's metadata documents, DICOM JSON and the native DICOM model (PS3.19), bulk data
    /// replaced by relative BulkDataURIs, in one object (``MetadataSidecar``).
    case metadata = "meta"
}
