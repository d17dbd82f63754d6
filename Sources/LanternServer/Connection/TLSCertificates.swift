import NIOConcurrencyHelpers
import NIOSSL

/// The certificate chain and private key the server presents (PEM files, `tls-cert` and `tls-key`), loaded into
/// a TLS context that ``reload()`` replaces — on SIGHUP — without dropping a connection: connections accepted
/// afterwards use the new certificate, those in progress keep theirs. TLS 1.2 at the least; ALPN offers
/// HTTP/1.1 (HTTP/2 is not served yet).
public final class TLSCertificates: Sendable {
    /// The PEM file of the certificate chain, the server's certificate first.
    public let certificatePath: String
    /// The PEM file of the private key.
    public let keyPath: String
    private let current: NIOLockedValueBox<NIOSSLContext>

    /// Loads both files; throws, naming the file, when either cannot be read or they do not form a context.
    public init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = NIOLockedValueBox(try Self.load(certificatePath, keyPath))
    }

    /// The context new connections use.
    var context: NIOSSLContext { current.withLockedValue { $0 } }

    /// Reads the files again and uses them for new connections; on failure the previous context stays.
    public func reload() throws {
        let fresh = try Self.load(certificatePath, keyPath)
        current.withLockedValue { $0 = fresh }
    }

    /// Why the certificate or key could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    static func load(_ certificatePath: String, _ keyPath: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw LoadError(description: "cannot read the TLS certificate chain \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else { throw LoadError(description: "no TLS certificate in \(certificatePath)") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw LoadError(description: "cannot read the TLS private key \(keyPath): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw LoadError(
                description:
                    "the TLS certificate \(certificatePath) and the key \(keyPath) do not go together or cannot be used: \(error)"
            )
        }
    }
}
