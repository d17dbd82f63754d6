import ArgumentParser
import LanternServer
import Logging
import NIOCore

/// What `lantern serve` runs with once every setting is read: the server's configuration, the data folder
/// and the log level.
struct ServeValues: Sendable {
    /// The HTTP server's settings.
    var server = ServerConfiguration()
    /// The data folder: SQLite index and blobs.
    var dataFolder = "./lantern-data"
    /// The scratch folder; `nil`: `tmp` in the data folder.
    var scratchFolder: String?
    /// How callers are identified.
    var authentication = AuthenticationMode.none
    /// Whether `auth = none` may serve beyond loopback.
    var allowAnonymous = false
    /// The level below which nothing is logged.
    var logLevel = Logger.Level.info
    /// Whether log lines are JSON objects.
    var jsonLogs = false
    /// The configuration file named by `--config` or `LANTERN_CONFIG`, if any.
    var configFile: String?
    /// This node's name in the index's leases and journal; `nil`: the host name and the configured port.
    var nodeID: String?
    /// Time between two renewals of this node's lease and sweeps of abandoned journal entries.
    var sweepInterval = TimeAmount.seconds(60)
    /// The age below which a journaled blob key is never swept, whoever holds it.
    var sweepAge = TimeAmount.seconds(3600)
    /// Seconds change feed entries are kept; 0: for ever.
    var changeFeedRetention = 0
}

/// One row of the configuration table of `lantern serve` (``ServeSettings/all``).
///
/// A row names the setting once; everything else follows from that name by one rule: the command-line option
/// is `--key`, the environment variable is `LANTERN_` and the key in capitals with `-` as `_`
/// (`max-request-bytes` → `--max-request-bytes`, `LANTERN_MAX_REQUEST_BYTES`), and the configuration file
/// key is the key itself. The row also reads and checks a value (``apply``), and shows the current value of a
/// ``ServeValues`` in the syntax it reads (``current``), so the documented default is the one the code uses.
struct ServeSetting: Sendable {
    /// The configuration file key, and the name of the option and the variable.
    let key: String
    /// What the value is, for `--help` (`<seconds>`) and the reference table.
    let valueName: String
    /// The values accepted, in words ("a whole number from 1 to 1000000").
    let accepted: String
    /// What the setting does, one or two sentences.
    let help: String
    /// Whether the configuration file may set it (every setting but `config` itself).
    let inFile: Bool
    /// The default shown when ``current`` has nothing to show (a setting whose default is derived).
    let defaultNote: String?
    /// Reads `value` into `values`; throws ``ValidationError`` naming the key when it is not acceptable.
    let apply: @Sendable (_ value: String, _ values: inout ServeValues) throws -> Void
    /// The value `values` holds, as this setting would read it; `nil` when it is unset.
    let current: @Sendable (_ values: ServeValues) -> String?

    /// The command-line option: `--key`.
    var option: String { "--" + key }

    /// The environment variable: `LANTERN_KEY_NAME`.
    var environmentVariable: String { Self.environmentVariable(for: key) }

    /// The name of the `ServeCommand` property that declares the option: the key in lower camel case
    /// (`public-url` → `publicUrl`).
    var propertyName: String {
        let words = key.split(separator: "-")
        return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
    }

    /// The default as documented: the value of a fresh ``ServeValues``, or the note.
    var defaultText: String { current(ServeValues()) ?? defaultNote ?? "none" }

    /// The environment variable of `key`.
    static func environmentVariable(for key: String) -> String {
        "LANTERN_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

// MARK: - Kinds of values

extension ServeSetting {
    /// A free text value (a host name, a folder, a URL).
    static func text(
        _ key: String, valueName: String, accepted: String, help: String, inFile: Bool = true,
        defaultNote: String? = nil,
        apply: @escaping @Sendable (String, inout ServeValues) throws -> Void,
        current: @escaping @Sendable (ServeValues) -> String?
    ) -> ServeSetting {
        ServeSetting(
            key: key, valueName: valueName, accepted: accepted, help: help, inFile: inFile, defaultNote: defaultNote,
            apply: apply, current: current)
    }

    /// A whole number in `range`.
    static func integer(
        _ key: String, _ range: ClosedRange<Int>, valueName: String = "n", help: String,
        apply: @escaping @Sendable (Int, inout ServeValues) -> Void,
        current: @escaping @Sendable (ServeValues) -> Int
    ) -> ServeSetting {
        let accepted =
            range.upperBound == Int.max
            ? "a whole number, at least \(range.lowerBound)"
            : "a whole number from \(range.lowerBound) to \(range.upperBound)"
        return ServeSetting(
            key: key, valueName: valueName, accepted: accepted, help: help, inFile: true, defaultNote: nil,
            apply: { text, values in
                guard let value = Int(text), range.contains(value) else {
                    throw ValidationError("invalid \(key) \(text): \(accepted)")
                }
                apply(value, &values)
            },
            current: { String(current($0)) })
    }

    /// A size in bytes, at least `minimum`.
    static func bytes(
        _ key: String, minimum: UInt64 = 1, help: String,
        apply: @escaping @Sendable (UInt64, inout ServeValues) -> Void,
        current: @escaping @Sendable (ServeValues) -> UInt64
    ) -> ServeSetting {
        let accepted = "a whole number of bytes, at least \(minimum)"
        return ServeSetting(
            key: key, valueName: "bytes", accepted: accepted, help: help, inFile: true, defaultNote: nil,
            apply: { text, values in
                guard let value = UInt64(text), value >= minimum else {
                    throw ValidationError("invalid \(key) \(text): \(accepted)")
                }
                apply(value, &values)
            },
            current: { String(current($0)) })
    }

    /// A duration in seconds, fractions allowed: more than 0, at most a day.
    static func seconds(
        _ key: String, help: String, apply: @escaping @Sendable (TimeAmount, inout ServeValues) -> Void,
        current: @escaping @Sendable (ServeValues) -> TimeAmount
    ) -> ServeSetting {
        let accepted = "seconds, more than 0 and at most 86400"
        return ServeSetting(
            key: key, valueName: "seconds", accepted: accepted, help: help, inFile: true, defaultNote: nil,
            apply: { text, values in
                guard let value = Double(text), value > 0, value <= 86_400 else {
                    throw ValidationError("invalid \(key) \(text): \(accepted)")
                }
                apply(.nanoseconds(Int64(value * 1_000_000_000)), &values)
            },
            current: { values in
                let nanoseconds = current(values).nanoseconds
                return nanoseconds % 1_000_000_000 == 0
                    ? String(nanoseconds / 1_000_000_000) : String(Double(nanoseconds) / 1e9)
            })
    }

    /// One of a few words.
    static func choice(
        _ key: String, _ choices: [String], help: String,
        apply: @escaping @Sendable (String, inout ServeValues) -> Void,
        current: @escaping @Sendable (ServeValues) -> String
    ) -> ServeSetting {
        let list = choices.dropLast().joined(separator: ", ") + " or " + choices.last!
        return ServeSetting(
            key: key, valueName: choices.joined(separator: "|"), accepted: list, help: help, inFile: true,
            defaultNote: nil,
            apply: { text, values in
                guard choices.contains(text) else { throw ValidationError("\(key) must be \(list)") }
                apply(text, &values)
            },
            current: current)
    }

    /// `true` or `false`.
    static func boolean(
        _ key: String, help: String, apply: @escaping @Sendable (Bool, inout ServeValues) -> Void,
        current: @escaping @Sendable (ServeValues) -> Bool
    ) -> ServeSetting {
        ServeSetting(
            key: key, valueName: "true|false", accepted: "true or false", help: help, inFile: true, defaultNote: nil,
            apply: { text, values in
                guard let value = Bool(text) else { throw ValidationError("\(key) must be true or false") }
                apply(value, &values)
            },
            current: { String(current($0)) })
    }
}
