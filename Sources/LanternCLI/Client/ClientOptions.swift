import ArgumentParser
import DICOMwebClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server options every client command shares: where the DICOMweb service is and how to log in.
struct ClientOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The DICOMweb service root (default $LANTERN_URL, else http://127.0.0.1:8080/dicomweb).",
            valueName: "url"))
    var url: String?

    @Option(
        help: ArgumentHelp("Bearer token for the Authorization header (default $LANTERN_TOKEN).", valueName: "token"))
    var token: String?

    @Option(
        help: ArgumentHelp(
            "Basic authentication as user:password; with only a user name the password comes from $LANTERN_PASSWORD.",
            valueName: "user[:password]"))
    var user: String?

    @Option(help: ArgumentHelp("PEM file of certificate authorities to trust for https.", valueName: "file"))
    var cacert: String?

    @Flag(help: "Do not verify the server's TLS certificate (test servers only).")
    var insecure = false

    @Option(help: "Seconds a response may stay silent before the request fails.")
    var timeout: Int64 = 300

    static let defaultURL = "http://127.0.0.1:8080/dicomweb"

    /// The service root in effect.
    var serviceRoot: String { url ?? environment("LANTERN_URL") ?? Self.defaultURL }

    /// A client for the options, keeping up to `connections` connections open.
    func makeClient(connections: Int = 8) throws -> DICOMwebClient {
        var authorization: Authorization?
        if let token = token ?? environment("LANTERN_TOKEN") {
            authorization = .bearer(token)
        }
        if let user {
            if let colon = user.firstIndex(of: ":") {
                authorization = .basic(
                    user: String(user[..<colon]), password: String(user[user.index(after: colon)...]))
            } else {
                authorization = .basic(user: user, password: environment("LANTERN_PASSWORD") ?? "")
            }
        }
        let configuration = ClientConfiguration(
            serviceRoot: serviceRoot, authorization: authorization,
            tls: TLSOptions(caCertificatePath: cacert, insecure: insecure), readTimeoutSeconds: timeout,
            maximumConnections: connections)
        do {
            return try DICOMwebClient(configuration: configuration)
        } catch {
            throw ValidationError("cannot set up the client: \(error)")
        }
    }
}

func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

/// Lines for a terminal or a pipe, written at once (unbuffered) so progress and reports interleave correctly.
enum Console {
    static func out(_ text: String) { write(1, text) }
    static func err(_ text: String) { write(2, text) }
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
    static var stdinIsTerminal: Bool { isatty(0) == 1 }

    static func write(_ fd: Int32, _ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { writeAll(fd, $0) }
    }
}
