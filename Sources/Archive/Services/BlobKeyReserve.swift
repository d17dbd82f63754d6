/// Blob keys journaled ahead of use (``IndexStore/journal(_:)``), a batch per index transaction instead of one
/// transaction per instance.
///
/// Safety is unchanged: a key is in the journal before any byte is written under it. Keys handed out and
/// committed leave the journal with their instance's row; keys never used stay journaled until the next
/// start, when ``StoreService/recover()`` finds nothing under them and clears them.
actor BlobKeyReserve {
    /// Keys journaled per transaction.
    static let batch = 32

    private let index: any IndexStore
    private var ready: [BlobKey] = []

    init(index: any IndexStore) {
        self.index = index
    }

    /// A fresh key, already journaled.
    func next() async throws -> BlobKey {
        while ready.isEmpty {
            let fresh = (0..<Self.batch).map { _ in BlobKey.random() }
            try await index.journal(fresh)
            // Another caller may have refilled meanwhile (the actor is reentrant across the await): both
            // batches are journaled, so both are usable.
            ready += fresh
        }
        return ready.removeLast()
    }
}
