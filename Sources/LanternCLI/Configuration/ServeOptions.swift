import ArgumentParser

/// The command-line options of `lantern serve`: one per row of ``ServeSettings/all``, named and documented
/// from it.
///
/// ArgumentParser discovers options from stored properties, so each row needs one declaration here; it takes
/// its name and help from the table (`.setting("key")`) and holds the text as given, which the table's row
/// reads and checks like a value from the environment or the file (one parser per setting, one message).
/// ``values`` collects them by reflection, the way ArgumentParser itself finds them, through the property's
/// name, the key in lower camel case (``ServeSetting/propertyName``): there is no second list to keep in
/// step. `ServeSettingsTests` checks that the declarations and the table match one to one.
struct ServeOptions: ParsableArguments {
    @Option(name: .setting("config"), help: .setting("config")) var config: String?
    @Option(name: .setting("host"), help: .setting("host")) var host: String?
    @Option(name: .setting("port"), help: .setting("port")) var port: String?
    @Option(name: .setting("data"), help: .setting("data")) var data: String?
    @Option(name: .setting("scratch"), help: .setting("scratch")) var scratch: String?
    @Option(name: .setting("public-url"), help: .setting("public-url")) var publicUrl: String?
    @Option(name: .setting("trust-forwarded-headers"), help: .setting("trust-forwarded-headers"))
    var trustForwardedHeaders: String?
    @Option(name: .setting("tls-cert"), help: .setting("tls-cert")) var tlsCert: String?
    @Option(name: .setting("tls-key"), help: .setting("tls-key")) var tlsKey: String?
    @Option(name: .setting("auth"), help: .setting("auth")) var auth: String?
    @Option(name: .setting("allow-anonymous"), help: .setting("allow-anonymous")) var allowAnonymous: String?
    @Option(name: .setting("ae-title"), help: .setting("ae-title")) var aeTitle: String?
    @Option(name: .setting("log-level"), help: .setting("log-level")) var logLevel: String?
    @Option(name: .setting("log-format"), help: .setting("log-format")) var logFormat: String?
    @Option(name: .setting("access-log"), help: .setting("access-log")) var accessLog: String?
    @Option(name: .setting("duplicates"), help: .setting("duplicates")) var duplicates: String?
    @Option(name: .setting("patient-conflicts"), help: .setting("patient-conflicts")) var patientConflicts: String?
    @Option(name: .setting("default-transfer-syntax"), help: .setting("default-transfer-syntax"))
    var defaultTransferSyntax: String?
    @Option(name: .setting("max-results"), help: .setting("max-results")) var maxResults: String?
    @Option(name: .setting("max-request-bytes"), help: .setting("max-request-bytes")) var maxRequestBytes: String?
    @Option(name: .setting("min-free-space"), help: .setting("min-free-space")) var minFreeSpace: String?
    @Option(name: .setting("max-parts"), help: .setting("max-parts")) var maxParts: String?
    @Option(name: .setting("max-rendered-pixels"), help: .setting("max-rendered-pixels"))
    var maxRenderedPixels: String?
    @Option(name: .setting("node-id"), help: .setting("node-id")) var nodeId: String?
    @Option(name: .setting("sweep-interval"), help: .setting("sweep-interval")) var sweepInterval: String?
    @Option(name: .setting("sweep-age"), help: .setting("sweep-age")) var sweepAge: String?
    @Option(name: .setting("change-feed-retention"), help: .setting("change-feed-retention")) var changeFeedRetention:
        String?
    @Option(name: .setting("idle-timeout"), help: .setting("idle-timeout")) var idleTimeout: String?
    @Option(name: .setting("header-timeout"), help: .setting("header-timeout")) var headerTimeout: String?
    @Option(name: .setting("body-timeout"), help: .setting("body-timeout")) var bodyTimeout: String?
    @Option(name: .setting("send-timeout"), help: .setting("send-timeout")) var sendTimeout: String?
    @Option(name: .setting("max-connections"), help: .setting("max-connections")) var maxConnections: String?
    @Option(name: .setting("max-uri-bytes"), help: .setting("max-uri-bytes")) var maxUriBytes: String?
    @Option(name: .setting("max-header-bytes"), help: .setting("max-header-bytes")) var maxHeaderBytes: String?
    @Option(name: .setting("max-header-count"), help: .setting("max-header-count")) var maxHeaderCount: String?

    /// The values given on the command line, by key.
    var values: [String: String] {
        var values: [String: String] = [:]
        for (name, value) in declaredOptions {
            if let value, let setting = ServeSettings.all.first(where: { $0.propertyName == name }) {
                values[setting.key] = value
            }
        }
        return values
    }

    /// Every declared option: the property's name and the text given, if any.
    var declaredOptions: [(name: String, value: String?)] {
        Mirror(reflecting: self).children.compactMap { child in
            guard let label = child.label, label.hasPrefix("_"), let option = child.value as? Option<String?> else {
                return nil
            }
            return (String(label.dropFirst()), option.wrappedValue)
        }
    }
}
