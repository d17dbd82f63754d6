import Archive
import ArgumentParser
import LanternServer
import Logging

/// The configuration table of `lantern serve`: every setting once, with its key, what it accepts, its default
/// and its help. The command-line options, the configuration file's keys, the `LANTERN_*` environment
/// variables, `lantern serve --help` and the table in `docs/server.md` ("Configuration reference") all come from
/// it, so they cannot drift apart (`ServeSettingsTests` checks the options and the documentation against it).
///
/// Precedence, highest first: the command line, the environment, the configuration file, the default.
enum ServeSettings {
    /// Every setting, in the order of `--help` and of the reference table.
    static let all: [ServeSetting] = general + ConnectionSettings.rows

    /// The keys a configuration file may hold.
    static var fileKeys: Set<String> { Set(all.filter(\.inFile).map(\.key)) }

    /// The setting named `key`.
    static func setting(_ key: String) -> ServeSetting? { all.first { $0.key == key } }

    /// Where the server listens and keeps its data, how it names itself and how much it logs; what it stores.
    static let general: [ServeSetting] = [
        .text(
            "config", valueName: "file", accepted: "a file of `key = value` lines",
            help:
                "Configuration file: `key = value` lines, `#` starts a comment; a key the server does not know is refused at start.",
            inFile: false, defaultNote: "none", apply: { $1.configFile = $0 }, current: { $0.configFile }),
        .text(
            "host", valueName: "address", accepted: "a host name or IP address", help: "Address to listen on.",
            apply: { $1.server.host = $0 }, current: { $0.server.host }),
        .integer(
            "port", 0...65_535, valueName: "port",
            help: "Port to listen on; 0 picks a free port (the one chosen is printed).",
            apply: { $1.server.port = $0 }, current: { $0.server.port }),
        .text(
            "data", valueName: "folder", accepted: "a folder",
            help: "Data folder: the SQLite index and the blobs, created when missing; one server at a time.",
            apply: { $1.dataFolder = $0 }, current: { $0.dataFolder }),
        .text(
            "scratch", valueName: "folder", accepted: "a folder on a local disk",
            help:
                "Scratch folder for requests in progress (the bulk data parts of STOW-RS), emptied at start; one server at a time.",
            defaultNote: "`tmp` in the data folder", apply: { $1.scratchFolder = $0 }, current: { $0.scratchFolder }),
        .text(
            "public-url", valueName: "url", accepted: "a URL (scheme, host, port, path)",
            help: "Base URL clients use, e.g. https://pacs.example.org, in RetrieveURLs and BulkDataURIs.",
            defaultNote: "the request's Host",
            apply: { value, values in
                values.server.publicBaseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
            },
            current: { $0.server.publicBaseURL }),
        .boolean(
            "trust-forwarded-headers",
            help:
                "Whether URLs handed out follow a reverse proxy's X-Forwarded-Proto and X-Forwarded-Host when public-url is not set (a forwarded host must be a host name and port).",
            apply: { $1.server.trustForwardedHeaders = $0 }, current: { $0.server.trustForwardedHeaders }),
        .text(
            "tls-cert", valueName: "file", accepted: "a PEM file: the server's certificate, then its chain",
            help:
                "Serve HTTPS and WSS on the port with this certificate chain (with tls-key); SIGHUP reloads both files without dropping connections.",
            defaultNote: "none: plain HTTP", apply: { $1.server.tlsCertificatePath = $0 },
            current: { $0.server.tlsCertificatePath }),
        .text(
            "tls-key", valueName: "file", accepted: "a PEM file: the private key of tls-cert",
            help: "The private key of tls-cert.", defaultNote: "none",
            apply: { $1.server.tlsKeyPath = $0 }, current: { $0.server.tlsKeyPath }),
        .choice(
            "auth", AuthenticationMode.allCases.map(\.rawValue),
            help:
                "How callers are identified: none (every caller may do everything; loopback only unless allow-anonymous), or API keys from `lantern keys create` sent as Bearer tokens, each route checking its permission.",
            apply: { value, values in values.authentication = AuthenticationMode(rawValue: value) ?? .none },
            current: { $0.authentication.rawValue }),
        .boolean(
            "allow-anonymous",
            help:
                "Whether auth = none may serve an address other than loopback (anyone who reaches the port may then read, store and delete).",
            apply: { $1.allowAnonymous = $0 }, current: { $0.allowAnonymous }),
        .text(
            "ae-title", valueName: "ae", accepted: "an AE Title: 1 to 16 characters, no backslash",
            help:
                "This archive's AE Title: the Requesting AE of relayed UPS cancellations and the default Worklist Label.",
            apply: { value, values in
                guard WorklistService.isValidAETitle(value) else { throw ValidationError("invalid ae-title \(value)") }
                values.server.aeTitle = value
            },
            current: { $0.server.aeTitle }),
        .choice(
            "log-level", ["trace", "debug", "info", "notice", "warning", "error", "critical"],
            help: "The least severe messages logged (to standard error).",
            apply: { value, values in values.logLevel = Logger.Level(rawValue: value) ?? .info },
            current: { $0.logLevel.rawValue }),
        .choice(
            "log-format", ["text", "json"],
            help: "Log lines as text, or as one JSON object per line (for log shippers).",
            apply: { value, values in values.jsonLogs = value == "json" }, current: { $0.jsonLogs ? "json" : "text" }),
        .boolean(
            "access-log",
            help:
                "Whether every answered request is logged at info: method, route template (never the URL or query, which name patients), status, duration, identity, request id (X-Request-ID when the client sends one).",
            apply: { $1.server.accessLog = $0 }, current: { $0.server.accessLog }),
        .choice(
            "duplicates", DuplicatePolicy.allCases.map(\.rawValue),
            help:
                "An instance sent again under a stored SOP Instance UID: refused, replacing the stored one, or accepted when byte-identical.",
            apply: { value, values in values.server.duplicates = DuplicatePolicy(rawValue: value) ?? .acceptIdentical },
            current: { $0.server.duplicates.rawValue }),
        .choice(
            "patient-conflicts", PatientConflictPolicy.allCases.map(\.rawValue),
            help:
                "An instance whose study is stored with another patient: refused (0xC409) or stored with a warning (0xB409).",
            apply: { value, values in values.server.patientConflicts = PatientConflictPolicy(rawValue: value) ?? .reject
            },
            current: { $0.server.patientConflicts.rawValue }),
        .choice(
            "default-transfer-syntax", ["explicit", "as-stored"],
            help:
                "The transfer syntax of a retrieve that names none: Explicit VR Little Endian (PS3.18 §8.7.3.5.2) or as stored.",
            apply: { value, values in
                values.server.defaultTransferSyntax = value == "as-stored" ? "*" : "1.2.840.10008.1.2.1"
            },
            current: { $0.server.defaultTransferSyntax == "*" ? "as-stored" : "explicit" }),
        .integer(
            "max-results", 1...Int.max,
            help: "Most QIDO-RS results per response; more set `Warning: 299` and return a partial page.",
            apply: { $1.server.maxResults = $0 }, current: { $0.server.maxResults }),
        .bytes(
            "max-request-bytes", help: "Largest STOW-RS request body (64 GiB by default); 413 beyond.",
            apply: { $1.server.maxRequestBytes = $0 }, current: { $0.server.maxRequestBytes }),
        .bytes(
            "min-free-space", minimum: 0,
            help:
                "Free bytes kept in reserve on the blob store (64 MiB by default; 0: none): below them STOW-RS answers 507 before writing anything and /readyz answers 503; reads go on.",
            apply: { $1.server.minimumFreeSpace = $0 }, current: { $0.server.minimumFreeSpace }),
        .integer(
            "max-parts", 1...Int.max,
            help:
                "Most parts of one STOW-RS request: instances past it are refused, a metadata and bulk data request is a 413.",
            apply: { $1.server.maxParts = $0 }, current: { $0.server.maxParts }),
        .integer(
            "max-rendered-pixels", 1...Int.max, valueName: "pixels",
            help: "Most pixels of one rendered image, width × height (4096 × 4096 by default); 400 beyond.",
            apply: { $1.server.maxRenderedPixels = $0 }, current: { $0.server.maxRenderedPixels }),
        .text(
            "node-id", valueName: "name", accepted: "1 to 64 characters: letters, digits, `.`, `-`, `_`, `:`",
            help:
                "This server's name in the index's leases and blob journal; must be unique among servers sharing an index.",
            defaultNote: "the host name and the port, e.g. `pacs1:8080`",
            apply: { value, values in
                guard SafeToken.matches(value, maxLength: 64, punctuation: ".-_:") else {
                    throw ValidationError("invalid node-id \(value)")
                }
                values.nodeID = value
            },
            current: { $0.nodeID }),
        .seconds(
            "sweep-interval",
            help:
                "Time between two renewals of this server's lease and sweeps of blobs abandoned by servers that stopped.",
            apply: { $1.sweepInterval = $0 }, current: { $0.sweepInterval }),
        .seconds(
            "sweep-age",
            help:
                "Age below which a reserved blob is never swept, even when the server that reserved it holds no lease.",
            apply: { $1.sweepAge = $0 }, current: { $0.sweepAge }),
        .integer(
            "change-feed-retention", 0...Int.max, valueName: "seconds",
            help:
                "How long change feed entries are kept, in seconds, pruned at each sweep; 0 keeps them for ever.",
            apply: { $1.changeFeedRetention = $0 }, current: { $0.changeFeedRetention }),
    ]
}
