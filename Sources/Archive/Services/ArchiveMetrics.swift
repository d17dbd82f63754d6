import Metrics

/// What the archive measures, through swift-metrics (the backend is the process's: Prometheus in `lantern
/// serve`, `GET /metrics`). No label ever holds a UID or a patient value. Created on first use, so after the
/// process has bootstrapped its metrics system.
enum ArchiveMetrics {
    /// Instances per group commit (one flush and one index transaction): how well batching works.
    static let groupCommitSize = Recorder(label: "lantern_group_commit_instances", aggregate: true)
    /// The flush that makes a batch durable (`syncfs` for the folder store).
    static let flushDuration = Timer(label: "lantern_blob_flush_duration")
    /// The index transaction of a batch.
    static let indexCommitDuration = Timer(label: "lantern_index_commit_duration")
}

extension Timer {
    /// Records the time elapsed since `start`.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
