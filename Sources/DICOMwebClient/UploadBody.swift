import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One piece of a request body: bytes in memory, or a file read in chunks when the body is sent.
public enum UploadSegment: Sendable {
    /// Bytes sent as they are.
    case bytes([UInt8])
    /// `length` bytes of the file at `path`, from its start. Sending fails when the file has changed size.
    case file(path: String, length: Int64)

    /// The number of bytes the segment sends.
    public var length: Int64 {
        switch self {
        case .bytes(let bytes): return Int64(bytes.count)
        case .file(_, let length): return length
        }
    }
}

/// A request body made of segments, produced as `ByteBuffer`s of at most ``chunkSize`` bytes. File reads run
/// on NIO's blocking-I/O thread pool, one chunk at a time, so memory stays bounded whatever the file sizes.
/// Small in-memory segments are merged with the file data that follows them, so a part header does not
/// become a write of its own.
public struct UploadBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    /// The segments, in order.
    public let segments: [UploadSegment]
    /// The largest buffer produced.
    public let chunkSize: Int

    /// Creates a body.
    public init(segments: [UploadSegment], chunkSize: Int = 1 << 20) {
        self.segments = segments
        self.chunkSize = chunkSize
    }

    /// The total number of bytes, for `Content-Length`.
    public var length: Int64 { segments.reduce(0) { $0 + $1.length } }

    public func makeAsyncIterator() -> Iterator { Iterator(segments: segments, chunkSize: chunkSize) }

    /// Produces the body's buffers.
    public struct Iterator: AsyncIteratorProtocol {
        let segments: [UploadSegment]
        let chunkSize: Int
        var index = 0
        var fileOffset: Int64 = 0

        public mutating func next() async throws -> ByteBuffer? {
            var pending: [UInt8] = []
            while index < segments.count {
                switch segments[index] {
                case .bytes(let bytes):
                    pending += bytes
                    index += 1
                    if pending.count >= chunkSize { return ByteBuffer(bytes: pending) }
                case .file(let path, let length):
                    if fileOffset >= length {
                        index += 1
                        fileOffset = 0
                        continue
                    }
                    let count = Int(Swift.min(Int64(chunkSize), length - fileOffset))
                    let buffer = try await Self.read(path, at: fileOffset, count: count, after: pending)
                    fileOffset += Int64(count)
                    return buffer
                }
            }
            return pending.isEmpty ? nil : ByteBuffer(bytes: pending)
        }

        /// `prefix` followed by `count` bytes of `path` at `offset`, read on the blocking-I/O pool.
        static func read(
            _ path: String, at offset: Int64, count: Int, after prefix: [UInt8]
        ) async throws
            -> ByteBuffer
        {
            try await NIOThreadPool.singleton.runIfActive {
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    throw DICOMwebClientError("cannot open \(path): \(String(cString: strerror(errno)))")
                }
                defer { close(fd) }
                var buffer = ByteBuffer()
                buffer.reserveCapacity(prefix.count + count)
                buffer.writeBytes(prefix)
                var done = 0
                while done < count {
                    var n = 0
                    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - done) { raw in
                        n = pread(fd, raw.baseAddress, count - done, off_t(offset) + off_t(done))
                        return Swift.max(n, 0)
                    }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw DICOMwebClientError("\(path) changed or could not be read while it was being sent")
                    }
                    done += n
                }
                return buffer
            }
        }
    }
}
