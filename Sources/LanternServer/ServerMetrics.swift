import Metrics

/// What the HTTP layer measures besides Hummingbird's per-route request counts and durations
/// (`MetricsMiddleware`, labelled by route template, never by URL). No label holds a UID or a patient value.
enum ServerMetrics {
    /// Instances a STOW-RS stored.
    static let instancesStored = Counter(label: "lantern_instances_stored")
    /// Instances a STOW-RS refused or failed to store.
    static let instancesFailed = Counter(label: "lantern_instances_failed")
    /// UPS event channels (WebSockets) open.
    static let eventChannels = Meter(label: "lantern_ups_event_channels")
}
