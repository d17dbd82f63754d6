import Synchronization

/// Whether the archive can serve (the readiness probe, `GET /readyz`) and whether it has room to store: the
/// index and the blob store answer within ``timeout``, and the blob store keeps more than ``minimumFreeSpace``
/// bytes free (`min-free-space`). Below that reserve, stores are refused before a byte is written (so a full
/// disk never cuts an instance short or starves the index of the room to commit) while reads keep working;
/// they resume by themselves once space is freed.
public struct HealthService: Sendable {
    /// The index.
    public let index: any IndexStore
    /// The blobs.
    public let blobs: any BlobStore
    /// Free bytes kept in reserve: below them the archive stores nothing and is not ready.
    public let minimumFreeSpace: UInt64
    /// The longest a probe waits for an answer.
    public let timeout: Duration

    /// One checked component.
    public struct Check: Sendable, Equatable {
        /// What was checked: `index`, `blobs` or `free-space`.
        public var name: String
        /// Whether it passed.
        public var passed: Bool
        /// What was found, for an operator (no patient data).
        public var detail: String
    }

    /// Creates the service.
    public init(
        index: any IndexStore, blobs: any BlobStore, minimumFreeSpace: UInt64, timeout: Duration = .seconds(5)
    ) {
        self.index = index
        self.blobs = blobs
        self.minimumFreeSpace = minimumFreeSpace
        self.timeout = timeout
    }

    /// Checks the index, the blob store and the free space, each within ``timeout``.
    public func readiness() async -> [Check] {
        let index = self.index
        let indexCheck: Check
        do {
            try await Self.within(timeout) { try await index.ping() }
            indexCheck = Check(name: "index", passed: true, detail: "answers")
        } catch {
            indexCheck = Check(name: "index", passed: false, detail: Self.describe(error))
        }
        let blobs = self.blobs
        var checks = [indexCheck]
        do {
            let free = try await Self.within(timeout) { try await blobs.freeSpace() }
            checks.append(Check(name: "blobs", passed: true, detail: "answers"))
            checks.append(freeSpaceCheck(free))
        } catch {
            checks.append(Check(name: "blobs", passed: false, detail: Self.describe(error)))
        }
        return checks
    }

    /// Throws ``ArchiveError/Code/insufficientStorage`` when the blob store has no more than the reserve free
    /// (and ``ArchiveError/Code/storage`` when it does not answer): call before writing anything.
    public func checkRoomToStore() async throws {
        let blobs = self.blobs
        let free: UInt64?
        do { free = try await Self.within(timeout) { try await blobs.freeSpace() } } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError(.storage, "the blob store does not answer: \(Self.describe(error))")
        }
        let check = freeSpaceCheck(free)
        guard check.passed else { throw ArchiveError(.insufficientStorage, "nothing was stored: \(check.detail)") }
    }

    private func freeSpaceCheck(_ free: UInt64?) -> Check {
        guard let free else { return Check(name: "free-space", passed: true, detail: "the store has no limit") }
        let passed = free > minimumFreeSpace
        return Check(
            name: "free-space", passed: passed,
            detail: passed
                ? "\(free) bytes free"
                : "\(free) bytes free, no more than the \(minimumFreeSpace) kept in reserve (min-free-space)")
    }

    /// What an operator may read of a failure (``ArchiveLog/describe(_:)``, or the timeout).
    static func describe(_ error: any Error) -> String {
        if error is TimedOut { return "no answer within the probe's timeout" }
        if let error = error as? ArchiveError, error.code == .storage { return error.message }
        return String(describing: type(of: error))
    }

    struct TimedOut: Error {}

    /// The value of `work`, or ``TimedOut`` after `limit`. The caller is answered at the limit even when the
    /// work cannot stop (a `statvfs` on a hung network file system): the work is cancelled and left to end on
    /// its own.
    static func within<T: Sendable>(
        _ limit: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let worker = Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                race.finish(result)
            }
            let timer = Task {
                try await Task.sleep(for: limit)
                if race.finish(.failure(TimedOut())) { worker.cancel() }
            }
            race.onFinish { timer.cancel() }
        }
    }
}

/// The first of a work's result and its timeout to arrive resumes the caller; the other is dropped.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var onFinish: (@Sendable () -> Void)?
        var finished = false
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Runs `action` once the race is decided (at once when it is).
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.finished { return true }
            state.onFinish = action
            return false
        }
        if now { action() }
    }

    /// Resumes the caller with `result` if nothing did before; tells whether this call did.
    @discardableResult func finish(_ result: Result<T, any Error>) -> Bool {
        let won = state.withLock { state -> (CheckedContinuation<T, any Error>, (@Sendable () -> Void)?)? in
            guard !state.finished, let continuation = state.continuation else { return nil }
            state.finished = true
            state.continuation = nil
            defer { state.onFinish = nil }
            return (continuation, state.onFinish)
        }
        guard let (continuation, action) = won else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }
}
