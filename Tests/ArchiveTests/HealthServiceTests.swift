import Testing

@testable import Archive

/// The probes' timeout answers at the limit, even when the work cannot be stopped.
@Suite struct HealthServiceTests {
    /// A wait that ignores cancellation until it is opened.
    actor Gate {
        private var waiting: [CheckedContinuation<Void, Never>] = []
        private var open = false
        func wait() async {
            if open { return }
            await withCheckedContinuation { waiting.append($0) }
        }
        func release() {
            open = true
            for waiter in waiting { waiter.resume() }
            waiting = []
        }
    }

    @Test func aHungCheckTimesOutWithoutWaitingForIt() async throws {
        let gate = Gate()
        await #expect(throws: HealthService.TimedOut.self) {
            try await HealthService.within(.milliseconds(50)) {
                await gate.wait()
                return 1
            }
        }
        await gate.release()
        let value = try await HealthService.within(.seconds(30)) { 7 }
        #expect(value == 7)
        let nothing: Int? = try await HealthService.within(.seconds(30)) { nil }
        #expect(nothing == nil, "a work answering nil is an answer, not a timeout")
    }
}
