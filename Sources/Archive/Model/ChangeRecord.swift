/// One entry of the change feed (issue 21): an instance created, replaced or deleted, in the order the index
/// committed it, numbered without gaps by the index (the same numbering for every node sharing it).
public struct ChangeRecord: Sendable, Hashable {
    /// What happened to the instance.
    public enum Action: String, Sendable, Hashable {
        /// Stored for the first time.
        case create
        /// Stored again under the same SOP Instance UID, replacing the stored one (`duplicates = replace`).
        case replace
        /// Deleted.
        case delete
    }

    /// The entry's place in the feed, from 1, increasing by one per entry.
    public var sequence: Int64
    /// When the index committed it (seconds since 1970).
    public var timestamp: Int64
    /// What happened.
    public var action: Action
    /// Study Instance UID.
    public var studyUID: String
    /// Series Instance UID.
    public var seriesUID: String
    /// SOP Instance UID.
    public var sopInstanceUID: String

    /// Creates an entry.
    public init(
        sequence: Int64, timestamp: Int64, action: Action, studyUID: String, seriesUID: String, sopInstanceUID: String
    ) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.action = action
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.sopInstanceUID = sopInstanceUID
    }
}
