import LanternServer
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the TLS certificate and key on SIGHUP (issue 18): a background service of `lantern serve`'s
/// `ServiceGroup`. Connections accepted afterwards present the new certificate; those in progress keep theirs.
/// A file that cannot be read or a key that does not match leaves the previous certificate in use and is logged.
struct CertificateReloader: Service {
    let certificates: TLSCertificates
    let logger: Logger

    func run() async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    try certificates.reload()
                    logger.notice("SIGHUP: TLS certificate reloaded from \(certificates.certificatePath)")
                } catch {
                    logger.error("SIGHUP: the previous TLS certificate stays in use: \(error)")
                }
            }
        }
    }
}
