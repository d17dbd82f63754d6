import Archive

/// What `lantern serve` runs with (README "Configuration").
public struct ServerConfiguration: Sendable {
    /// Listening address.
    public var host = "127.0.0.1"
    /// Listening port; 0 picks a free one (the chosen port is printed).
    public var port = 8080
    /// The DICOMweb service root path.
    public var serviceRoot = "/dicomweb"
    /// The base URL clients see (scheme, host, port, no trailing slash), used in RetrieveURL and BulkDataURI.
    /// `nil` derives it from the request's Host header.
    public var publicBaseURL: String?
    /// The largest number of QIDO-RS results returned at once; more set `Warning: 299` (PS3.18 §8.3.4.4).
    public var maxResults = 1000
    /// The largest STOW-RS request body, in bytes (413 beyond).
    public var maxRequestBytes: UInt64 = 64 << 30
    /// Where requests keep scratch files (bulk data parts of STOW-RS), emptied at start.
    public var scratchFolder = "./lantern-data/tmp"
    /// What a second instance under a stored SOP Instance UID does.
    public var duplicates = DuplicatePolicy.acceptIdentical

    /// This archive's AE Title: the Requesting AE of the cancellation requests it relays (PS3.4 §CC.2.4.3).
    public var aeTitle = "LANTERN"

    /// The defaults.
    public init() {}
}
