import NIOCore
import Testing

@testable import Archive

/// The `BlobStore` contract basics, written against the port and run on every adapter: write, read, remove.
@Suite struct BlobStoreContractTests {
    @Test("A written object reads back whole and by range; removed, it is gone", arguments: BlobAdapter.allCases)
    func writeReadRemove(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let upload = try await store.begin(key, kind: .instance)
        try await store.append(ByteBuffer(bytes: bytes[..<60_000]), to: upload)
        try await store.finish(upload, appending: ByteBuffer(bytes: bytes[60_000...]))
        try await store.write(key, kind: .metadata, bytes: [1, 2, 3])
        try await store.makeDurable()
        let handle = try #require(try await store.open(key, kind: .instance))
        #expect(handle.size == UInt64(bytes.count))
        let range = try await store.read(handle, offset: 59_990, count: 20)
        #expect(Array(range.readableBytesView) == Array(bytes[59_990..<60_010]))
        let tail = try await store.read(handle, offset: 99_990, count: 100)
        #expect(tail.readableBytes == 10, "fewer bytes only at the end")
        store.close(handle)
        #expect(try await store.readSmall([key, BlobKey.random()], kind: .metadata) == [[1, 2, 3], nil])
        #expect(try await store.remove(key))
        #expect(try await store.open(key, kind: .instance) == nil)
        #expect(try await store.readSmall([key], kind: .metadata) == [nil])
        #expect(try await !store.remove(key), "removing what is absent is no error")
    }

    @Test("An aborted upload leaves nothing", arguments: BlobAdapter.allCases)
    func abort(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        let upload = try await store.begin(key, kind: .instance)
        try await store.append(ByteBuffer(bytes: [9, 9, 9]), to: upload)
        await store.abort(upload)
        #expect(try await store.open(key, kind: .instance) == nil)
        #expect(try await !store.remove(key))
    }
}
