import NIOConcurrencyHelpers

/// The number of open connections, shared by every event loop, against ``ConnectionLimits/maxConnections``.
final class ConnectionCounter: Sendable {
    private let open = NIOLockedValueBox(0)

    /// Counts one more connection if fewer than `maximum` are open; tells whether it was admitted.
    func admit(maximum: Int) -> Bool {
        open.withLockedValue { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
    }

    /// Counts an admitted connection as closed.
    func release() { open.withLockedValue { $0 -= 1 } }
}
