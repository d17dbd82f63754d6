import NIOCore

/// A byte range of a stored object as an `AsyncSequence` of buffers of at most `chunkSize` bytes
/// (``BlobReader/chunks(_:chunkSize:)``). The next chunk is read while the consumer handles the current one, so
/// storage and network overlap; at most two chunks are in memory. An object shorter than the range ends the
/// sequence with ``ArchiveError/Code/damaged``.
public struct BlobChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    let reader: any BlobReader
    let range: ByteRange
    let chunkSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(reader: reader, offset: range.offset, end: range.offset + range.length, chunkSize: chunkSize)
    }

    /// Reads the chunks in order, one ahead.
    public struct Iterator: AsyncIteratorProtocol {
        let reader: any BlobReader
        var offset: UInt64
        let end: UInt64
        let chunkSize: Int
        var ahead: Task<ByteBuffer?, any Error>?

        init(reader: any BlobReader, offset: UInt64, end: UInt64, chunkSize: Int) {
            self.reader = reader
            self.offset = offset
            self.end = end
            self.chunkSize = chunkSize
        }

        public mutating func next() async throws -> ByteBuffer? {
            let current: ByteBuffer?
            if let ahead {
                self.ahead = nil
                current = try await withTaskCancellationHandler {
                    try await ahead.value
                } onCancel: {
                    ahead.cancel()
                }
            } else {
                current = try await Self.read(reader, offset, end, chunkSize)
            }
            guard let current else { return nil }
            offset += UInt64(current.readableBytes)
            if offset < end {
                let (reader, offset, end, chunkSize) = (self.reader, self.offset, self.end, self.chunkSize)
                ahead = Task { try await Self.read(reader, offset, end, chunkSize) }
            }
            return current
        }

        static func read(
            _ reader: any BlobReader, _ offset: UInt64, _ end: UInt64, _ chunkSize: Int
        ) async throws
            -> ByteBuffer?
        {
            guard offset < end else { return nil }
            let n = Int(Swift.min(UInt64(chunkSize), end - offset))
            let buffer = try await reader.read(at: offset, count: n)
            guard buffer.readableBytes == n else {
                throw ArchiveError(
                    .damaged, "the stored object ends \(end - offset - UInt64(buffer.readableBytes)) bytes early")
            }
            return buffer
        }
    }
}

extension BlobReader {
    /// The bytes of `range` (the whole object when `nil`) as a sequence of buffers of at most `chunkSize`
    /// bytes. Throws ``ArchiveError/Code/notFound`` when the range lies outside the object.
    public func chunks(_ range: ByteRange? = nil, chunkSize: Int = 1 << 20) throws -> BlobChunks {
        let range = range ?? ByteRange(offset: 0, length: size)
        guard range.offset <= size, range.length <= size - range.offset else {
            throw ArchiveError(.notFound, "the byte range lies outside the stored object")
        }
        return BlobChunks(reader: self, range: range, chunkSize: max(1, chunkSize))
    }
}
