/// Wakes the event channels of subscribers when event reports are queued for them (PS3.18 §11.11), and keeps one
/// channel per AE: a channel opened for an AE supersedes the one before it (a client that reconnects while its
/// old connection is not yet known to be dead), which stops taking reports. The reports themselves live in the
/// ``WorklistStore``, so they survive a restart; the hub only tells the channel to look. Shared mutable state,
/// hence an actor (ARCHITECTURE §7).
///
/// It is also the in-process ``EventNotifier``: publishing ``ChangeTopic/subscriber(_:)`` wakes the channels of
/// that AE (as ``notify(_:)``) and the subscriptions to the topic. Channels and subscriptions live in this
/// process: one channel per AE holds within a node.
public actor UPSEventHub {
    private var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
    private var pending: Set<String> = []
    private var nextID = 0
    private var channels: [String: Int] = [:]
    /// The ``EventNotifier`` subscriptions, by topic and id.
    private var subscriptions: [ChangeTopic: [Int: AsyncStream<Void>.Continuation]] = [:]

    /// Creates a hub with no channel waiting.
    public init() {}

    /// Registers a new channel for `aeTitle`, superseding (and waking) the one before it; returns its token.
    public func openChannel(for aeTitle: String) -> Int {
        nextID += 1
        channels[aeTitle] = nextID
        for continuation in (waiters.removeValue(forKey: aeTitle) ?? [:]).values { continuation.resume() }
        return nextID
    }

    /// Whether the channel with `token` is still the one of `aeTitle`.
    public func isCurrent(_ token: Int, for aeTitle: String) -> Bool { channels[aeTitle] == token }

    /// Forgets a channel that ended (unless a newer one took its place).
    public func closeChannel(_ token: Int, for aeTitle: String) {
        if channels[aeTitle] == token { channels[aeTitle] = nil }
    }

    /// Signals that events were queued for these AE Titles.
    public func notify(_ aeTitles: some Sequence<String>) {
        for ae in aeTitles {
            if let list = waiters.removeValue(forKey: ae), !list.isEmpty {
                for continuation in list.values { continuation.resume() }
            } else {
                pending.insert(ae)
            }
        }
    }

    /// Returns when events may be waiting for `aeTitle`: at once when some were queued since the last call, else
    /// at the next ``notify(_:)`` for it, or when the task is cancelled.
    public func wait(for aeTitle: String) async {
        if pending.remove(aeTitle) != nil { return }
        let id = nextID
        nextID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    waiters[aeTitle, default: [:]][id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancel(aeTitle, id) }
        }
    }

    private func cancel(_ aeTitle: String, _ id: Int) {
        waiters[aeTitle]?.removeValue(forKey: id)?.resume()
    }

    // MARK: EventNotifier

    /// Starts a subscription (``EventNotifier/subscribe(to:)``).
    func addSubscription(to topic: ChangeTopic) -> ChangeSubscription {
        nextID += 1
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        subscriptions[topic, default: [:]][nextID] = continuation
        return ChangeSubscription(id: nextID, topic: topic, changes: stream)
    }

    /// Ends a subscription (``EventNotifier/unsubscribe(_:)``).
    func removeSubscription(_ subscription: ChangeSubscription) {
        subscriptions[subscription.topic]?.removeValue(forKey: subscription.id)?.finish()
        if subscriptions[subscription.topic]?.isEmpty == true { subscriptions[subscription.topic] = nil }
    }

    /// Wakes the channels and subscriptions of `topics` (``EventNotifier/publish(_:)``); forgets the subscriptions
    /// whose stream was dropped without unsubscribing.
    func wake(_ topics: Set<ChangeTopic>) {
        notify(
            topics.compactMap {
                if case .subscriber(let ae) = $0 { ae } else { nil }
            })
        for topic in topics {
            guard let list = subscriptions[topic] else { continue }
            for (id, continuation) in list {
                if case .terminated = continuation.yield() { subscriptions[topic]?.removeValue(forKey: id) }
            }
            if subscriptions[topic]?.isEmpty == true { subscriptions[topic] = nil }
        }
    }
}

extension UPSEventHub: EventNotifier {
    public func publish(_ topics: Set<ChangeTopic>) async throws { wake(topics) }

    public func subscribe(to topic: ChangeTopic) async throws -> ChangeSubscription { addSubscription(to: topic) }

    public func unsubscribe(_ subscription: ChangeSubscription) async { removeSubscription(subscription) }
}
