import NIOCore
import Testing

@testable import Archive

/// The `BlobStore` contract, written against the port and run on every adapter: write (pushed, whole, from an
/// async sequence), read (random access, ranged chunks), abort, remove, concurrent writers.
@Suite struct BlobStoreContractTests {
    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) } }

    @Test("A written object reads back whole and by range; removed, it is gone", arguments: BlobAdapter.allCases)
    func writeReadRemove(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        let bytes = Self.pattern(100_000)
        let writer = try await store.begin(key, kind: .instance)
        #expect(writer.key == key && writer.kind == .instance)
        try await writer.append(ByteBuffer(bytes: bytes[..<60_000]))
        try await writer.finish(appending: ByteBuffer(bytes: bytes[60_000...]))
        try await store.write(key, kind: .metadata, bytes: [1, 2, 3])
        try await store.makeDurable()
        let reader = try #require(try await store.open(key, kind: .instance))
        #expect(reader.size == UInt64(bytes.count))
        let range = try await reader.read(at: 59_990, count: 20)
        #expect(Array(range.readableBytesView) == Array(bytes[59_990..<60_010]))
        let tail = try await reader.read(at: 99_990, count: 100)
        #expect(tail.readableBytes == 10, "fewer bytes only at the end")
        #expect(try await store.readSmall([key, BlobKey.random()], kind: .metadata) == [[1, 2, 3], nil])
        #expect(try await store.remove(key))
        #expect(try await store.open(key, kind: .instance) == nil)
        #expect(try await store.readSmall([key], kind: .metadata) == [nil])
        #expect(try await !store.remove(key), "removing what is absent is no error")
    }

    @Test("A range streams as bounded chunks, in order, whole", arguments: BlobAdapter.allCases)
    func chunks(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        let bytes = Self.pattern(250_001)
        let writer = try await store.begin(key, kind: .instance, expectedLength: UInt64(bytes.count))
        try await writer.finish(appending: ByteBuffer(bytes: bytes))
        let reader = try #require(try await store.open(key, kind: .instance))
        for (offset, length, chunk) in [(0, 250_001, 65_536), (1, 100_000, 7), (249_000, 1_001, 1 << 20), (5, 0, 10)] {
            var got: [UInt8] = []
            var largest = 0
            for try await buffer in try reader.chunks(
                ByteRange(offset: UInt64(offset), length: UInt64(length)), chunkSize: chunk)
            {
                largest = max(largest, buffer.readableBytes)
                got += buffer.readableBytesView
            }
            #expect(got == Array(bytes[offset..<(offset + length)]))
            #expect(largest <= chunk)
        }
        #expect(throws: ArchiveError.self) { try reader.chunks(ByteRange(offset: 250_000, length: 2)) }
        #expect(throws: ArchiveError.self) { try reader.chunks(ByteRange(offset: .max, length: 2)) }
    }

    @Test(
        "An object written from an async sequence reads back; a failing sequence leaves nothing",
        arguments: BlobAdapter.allCases)
    func writeFromSequence(_ adapter: BlobAdapter) async throws {
        struct Broken: Error {}
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        let parts = (0..<5).map { ByteBuffer(bytes: Self.pattern(10_000 + $0)) }
        try await store.write(
            key, kind: .instance,
            from: AsyncStream { continuation in
                for part in parts { continuation.yield(part) }
                continuation.finish()
            })
        let reader = try #require(try await store.open(key, kind: .instance))
        var got: [UInt8] = []
        for try await buffer in try reader.chunks() { got += buffer.readableBytesView }
        #expect(got == parts.flatMap { Array($0.readableBytesView) })

        let failed = BlobKey.random()
        await #expect(throws: Broken.self) {
            try await store.write(
                failed, kind: .instance,
                from: AsyncThrowingStream<ByteBuffer, any Error> {
                    continuation in
                    continuation.yield(ByteBuffer(bytes: [1, 2, 3]))
                    continuation.finish(throwing: Broken())
                })
        }
        #expect(try await store.open(failed, kind: .instance) == nil)
    }

    @Test("An aborted upload leaves nothing; a finished writer refuses more", arguments: BlobAdapter.allCases)
    func abort(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        let writer = try await store.begin(key, kind: .instance)
        try await writer.append(ByteBuffer(bytes: [9, 9, 9]))
        await writer.abort()
        #expect(try await store.open(key, kind: .instance) == nil)
        #expect(try await !store.remove(key))
        let done = try await store.begin(BlobKey.random(), kind: .instance)
        try await done.finish(appending: ByteBuffer(bytes: [1]))
        await #expect(throws: (any Error).self) { try await done.append(ByteBuffer(bytes: [2])) }
    }

    @Test("An upload aborted from a cancelled task leaves nothing", arguments: BlobAdapter.allCases)
    func abortWhenCancelled(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        let writer = try await store.begin(key, kind: .instance)
        try await writer.append(ByteBuffer(bytes: [1, 2, 3]))
        let cancelled = Task {
            try? await Task.sleep(for: .seconds(60))
            await writer.abort()
        }
        cancelled.cancel()
        await cancelled.value
        #expect(try await store.open(key, kind: .instance) == nil)
    }

    @Test("Concurrent writers of different keys do not mix their bytes", arguments: BlobAdapter.allCases)
    func concurrentWriters(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let keys = (0..<16).map { _ in BlobKey.random() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, key) in keys.enumerated() {
                group.addTask {
                    let writer = try await store.begin(key, kind: .instance)
                    for _ in 0..<8 {
                        try await writer.append(ByteBuffer(bytes: [UInt8](repeating: UInt8(n), count: 4_096)))
                        await Task.yield()
                    }
                    try await writer.finish(appending: ByteBuffer())
                }
            }
            try await group.waitForAll()
        }
        try await store.makeDurable()
        for (n, key) in keys.enumerated() {
            let reader = try #require(try await store.open(key, kind: .instance))
            let all = try await reader.read(at: 0, count: Int(reader.size))
            #expect(all.readableBytes == 8 * 4_096)
            #expect(all.readableBytesView.allSatisfy { $0 == UInt8(n) })
        }
    }

    @Test(
        "A reader keeps reading an object removed after it was opened, or says it is gone",
        arguments: BlobAdapter.allCases)
    func removeWhileOpen(_ adapter: BlobAdapter) async throws {
        let (store, remove) = try adapter.make()
        defer { remove() }
        let key = BlobKey.random()
        try await store.write(key, kind: .instance, bytes: Self.pattern(1_000))
        let reader = try #require(try await store.open(key, kind: .instance))
        try await store.remove(key)
        // A file system keeps an open file; an object store may not: either way no wrong bytes.
        if let bytes = try? await reader.read(at: 0, count: 1_000), bytes.readableBytes > 0 {
            #expect(Array(bytes.readableBytesView) == Self.pattern(1_000))
        }
        #expect(try await store.open(key, kind: .instance) == nil)
    }
}
