import Testing

@testable import Archive

/// The `EventNotifier` contract, written against the port and run on every adapter.
@Suite struct EventNotifierContractTests {
    /// Waits for the next wake-up of `subscription`; `false` when its stream ended.
    static func next(_ subscription: ChangeSubscription) async -> Bool {
        var iterator = subscription.changes.makeAsyncIterator()
        return await iterator.next() != nil
    }

    @Test("A subscriber is woken by its topic only; unsubscribing ends its stream", arguments: NotifierAdapter.allCases)
    func subscribePublishUnsubscribe(_ adapter: NotifierAdapter) async throws {
        let notifier = adapter.make()
        let ae = try await notifier.subscribe(to: .subscriber("AE1"))
        let workitem = try await notifier.subscribe(to: .workitem("1.2.3"))
        try await notifier.publish([.subscriber("AE1"), .subscriber("OTHER")])
        #expect(await Self.next(ae))
        try await notifier.publish([.workitem("1.2.3")])
        #expect(await Self.next(workitem))
        await notifier.unsubscribe(ae)
        #expect(await !Self.next(ae), "the stream ends")
        await notifier.unsubscribe(ae)  // again: nothing happens
        await notifier.unsubscribe(workitem)
    }

    @Test(
        "Changes published while a subscriber is busy are coalesced, and never lost",
        arguments: NotifierAdapter.allCases)
    func coalesced(_ adapter: NotifierAdapter) async throws {
        let notifier = adapter.make()
        let subscription = try await notifier.subscribe(to: .workitem("1.2.4"))
        // Many publishers at once: the subscriber, not yet listening, is woken once at least.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { try await notifier.publish([.workitem("1.2.4")]) } }
            try await group.waitForAll()
        }
        #expect(await Self.next(subscription))
        // A waiting subscriber is woken by a publish from another task.
        async let woken = Self.next(subscription)
        try await Task.sleep(for: .milliseconds(20))
        try await notifier.publish([.workitem("1.2.4")])
        #expect(await woken)
        await notifier.unsubscribe(subscription)
    }

    @Test("Two subscribers of one topic are both woken", arguments: NotifierAdapter.allCases)
    func fanOut(_ adapter: NotifierAdapter) async throws {
        let notifier = adapter.make()
        let first = try await notifier.subscribe(to: .subscriber("AE2"))
        let second = try await notifier.subscribe(to: .subscriber("AE2"))
        try await notifier.publish([.subscriber("AE2")])
        #expect(await Self.next(first))
        #expect(await Self.next(second))
        await notifier.unsubscribe(first)
        await notifier.unsubscribe(second)
    }
}
