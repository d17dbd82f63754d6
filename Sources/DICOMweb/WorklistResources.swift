/// What the UPS-RS server and client share about the worklist's resources (PS3.18 §11): the well-known
/// subscription UIDs and the event channel URL.
public enum WorklistResources {
    /// The Worklist UID that names a global subscription (PS3.4 §CC.2.3.1).
    public static let globalSubscriptionUID = "1.2.840.10008.5.1.4.34.5"
    /// The Filtered Worklist UID.
    public static let filteredSubscriptionUID = "1.2.840.10008.5.1.4.34.5.1"

    /// The event channel of `aeTitle` (§11.13): `/subscribers/{aetitle}` under the service root, with the
    /// `ws:` or `wss:` scheme that matches its `http:` or `https:`.
    public static func eventChannelURL(serviceRoot: String, aeTitle: String) -> String {
        let ws =
            serviceRoot.hasPrefix("https:")
            ? "wss:" + serviceRoot.dropFirst(6)
            : serviceRoot.hasPrefix("http:") ? "ws:" + serviceRoot.dropFirst(5) : serviceRoot
        return "\(ws)/subscribers/\(PercentEncoding.encode(aeTitle))"
    }
}
