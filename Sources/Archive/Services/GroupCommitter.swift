/// Makes batches of instances durable and visible, sharing one blob flush and one index transaction among
/// every request that commits at the same time (group commit across requests).
///
/// While a round (``BlobStore/makeDurable()`` then ``IndexStore/commit(_:)``) runs, new batches queue; the next
/// round takes all of them at once. So concurrent STOW requests pay for one `syncfs` and one synchronous
/// index commit between them, instead of one each in turn, and no batch waits for more than one round
/// already in flight.
actor GroupCommitter {
    private typealias Waiter = (
        items: [IndexCommit], continuation: CheckedContinuation<Result<[IndexCommitResult], any Error>, Never>
    )

    private let index: any IndexStore
    private let blobs: any BlobStore
    private var queued: [Waiter] = []
    private var running = false

    init(index: any IndexStore, blobs: any BlobStore) {
        self.index = index
        self.blobs = blobs
    }

    /// Flushes the blobs and commits `items` (with whatever else is queued); one result per item, as
    /// ``IndexStore/commit(_:)`` gives them. Throws when the round failed as a whole.
    func commit(_ items: [IndexCommit]) async throws -> [IndexCommitResult] {
        let result = await withCheckedContinuation { continuation in
            queued.append((items, continuation))
            if !running {
                running = true
                Task { await self.drain() }
            }
        }
        return try result.get()
    }

    private func drain() async {
        while !queued.isEmpty {
            let round = queued
            queued.removeAll()
            do {
                let flushStart = ContinuousClock.now
                try await blobs.makeDurable()
                ArchiveMetrics.flushDuration.recordInterval(since: flushStart)
                let items = round.flatMap(\.items)
                ArchiveMetrics.groupCommitSize.record(items.count)
                let commitStart = ContinuousClock.now
                let results = try await index.commit(items)
                ArchiveMetrics.indexCommitDuration.recordInterval(since: commitStart)
                var start = 0
                for waiter in round {
                    let end = start + waiter.items.count
                    waiter.continuation.resume(returning: .success(Array(results[start..<end])))
                    start = end
                }
            } catch {
                for waiter in round { waiter.continuation.resume(returning: .failure(error)) }
            }
        }
        running = false
    }
}
