import NIOCore
import NIOPosix

/// Checks, before anything touches the data folder, that the server will be able to listen where it is told
/// to: a server that cannot bind must fail at once with one line, and leave no folder behind.
///
/// The probe binds a listening socket the way the server will (address reuse on, so a port in TIME_WAIT is
/// not refused) and closes it again. Port 0 always binds, so it is not probed.
enum ListenProbe {
    /// Why the address cannot be listened on.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// Throws ``Refusal`` with one line when `host:port` cannot be bound.
    static func check(host: String, port: Int) async throws {
        guard port != 0 else { return }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch let error as IOError {
            throw Refusal(description: "cannot listen on \(host):\(port): \(Self.reason(error.errnoCode))")
        } catch {
            throw Refusal(description: "cannot listen on \(host):\(port): \(error)")
        }
        try? await channel.close()
    }

    private static func reason(_ code: Int32) -> String {
        switch code {
        case EADDRINUSE: "the address is already in use (is another server running on this port?)"
        case EACCES: "permission denied (ports below 1024 need privileges)"
        case EADDRNOTAVAIL: "the address is not one of this machine's"
        default: String(cString: strerror(code))
        }
    }
}
