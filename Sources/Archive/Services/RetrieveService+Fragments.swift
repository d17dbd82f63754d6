import DICOMCore
import NIOCore

extension RetrieveService {
    /// Most fragments read for one nested encapsulated value.
    static let maxNestedFragments = 65_536

    /// The fragments of an encapsulated Pixel Data value nested in a sequence (an icon image, PS3.5 §A.4)
    /// whose value starts at `offset` in the stored instance, the Basic Offset Table left out; `nil` when no
    /// encapsulated value starts there. Its BulkDataURI is `bulkdata/{offset}` (the length is undefined), and
    /// only the top-level Pixel Data has frame ranges from ingest, so the item headers are read here: 8 bytes
    /// per fragment. Offsets of deflated instances count inflated bytes: `nil`.
    public func nestedFragments(_ instance: StoredInstance, at offset: UInt64) async throws -> [ByteRange]? {
        guard !TransferSyntax(uid: instance.transferSyntaxUID).isDeflated else { return nil }
        let handle = try await openIntact(instance)
        var position = offset
        var fragments: [ByteRange] = []
        var first = true
        while fragments.count <= Self.maxNestedFragments {
            guard position <= handle.size, handle.size - position >= 8 else { return nil }
            var header = try await handle.read(at: position, count: 8)
            guard let group = header.readInteger(endianness: .little, as: UInt16.self),
                let element = header.readInteger(endianness: .little, as: UInt16.self),
                let length = header.readInteger(endianness: .little, as: UInt32.self), group == 0xFFFE
            else { return nil }
            position += 8
            switch element {
            case 0xE0DD:  // Sequence Delimitation Item: the value ends
                return first ? nil : fragments
            case 0xE000:
                guard length != 0xFFFF_FFFF, UInt64(length) <= handle.size - position else { return nil }
                if !first, length > 0 { fragments.append(ByteRange(offset: position, length: UInt64(length))) }
                first = false
                position += UInt64(length)
            default:
                return nil
            }
        }
        return nil
    }
}
