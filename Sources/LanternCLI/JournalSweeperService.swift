import Archive
import ServiceLifecycle

/// Runs the ``JournalSweeper`` (renew this server's lease, sweep blobs abandoned by servers that stopped) as one
/// of `lantern serve`'s services, until graceful shutdown. `Archive` does not depend on ServiceLifecycle, so
/// this is the adapter between the two.
struct JournalSweeperService: Service {
    let sweeper: JournalSweeper
    let onSweep: @Sendable (Result<StoreService.Recovery, any Error>) -> Void

    func run() async {
        await cancelWhenGracefulShutdown { await sweeper.run(onSweep: onSweep) }
    }
}
