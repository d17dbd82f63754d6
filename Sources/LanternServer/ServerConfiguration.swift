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
    /// The most parts one STOW-RS request may hold (`max-parts`): an instance request stores its first ones and
    /// refuses the rest, a metadata and bulk data request is refused (413).
    public var maxParts = 10_000
    /// The most pixels one rendered image may have (`max-rendered-pixels`): a viewport, `rows` or `columns`
    /// that would render more is a 400 naming the limit.
    public var maxRenderedPixels = 4096 * 4096
    /// Free bytes the blob store keeps in reserve (`min-free-space`): below them STOW-RS answers 507 before
    /// writing and `/readyz` answers 503.
    public var minimumFreeSpace: UInt64 = 64 << 20
    /// What a second instance under a stored SOP Instance UID does.
    public var duplicates = DuplicatePolicy.acceptIdentical
    /// What an instance whose study is stored with another patient does (`patient-conflicts`).
    public var patientConflicts = PatientConflictPolicy.reject

    /// This archive's AE Title: the Requesting AE of the cancellation requests it relays (PS3.4 §CC.2.4.3).
    public var aeTitle = "LANTERN"

    /// Timeouts, the connection cap and request head limits (docs/server.md "Limits and timeouts").
    public var connections = ConnectionLimits()

    /// The transfer syntax of instances retrieved without a `transfer-syntax` parameter: Explicit VR Little
    /// Endian, the default of PS3.18 §8.7.3.5.2 (an instance that cannot be converted goes as stored), or `*`
    /// for as stored (config key `default-transfer-syntax`: `explicit` or `as-stored`).
    public var defaultTransferSyntax = "1.2.840.10008.1.2.1"

    /// Whether `X-Forwarded-Proto` and `X-Forwarded-Host` of requests name the scheme and host of the URLs the
    /// server hands out (RetrieveURL, BulkDataURI), when no `public-url` is set: for a server behind a reverse
    /// proxy that sets them (config key `trust-forwarded-headers`, off by default).
    public var trustForwardedHeaders = false
    /// The PEM files of the certificate chain and the private key (`tls-cert`, `tls-key`): set, the server speaks
    /// HTTPS and WSS on its port and hands out `https` URLs.
    public var tlsCertificatePath: String?
    /// See ``tlsCertificatePath``.
    public var tlsKeyPath: String?
    /// Whether each answered request is logged at `info` (`access-log`); otherwise at `debug` (5xx at `error`).
    public var accessLog = false
    /// Whether the server speaks TLS.
    public var usesTLS: Bool { tlsCertificatePath != nil }

    /// The defaults.
    public init() {}
}
