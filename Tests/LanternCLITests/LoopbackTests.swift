import Testing

@testable import LanternCLI

/// `auth = none` serves loopback only: which hosts count as loopback.
@Suite struct LoopbackTests {
    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"])
    func loopback(_ host: String) { #expect(ServeCommand.isLoopback(host)) }

    @Test(arguments: [
        "0.0.0.0", "0", "::", "[::]", "10.0.0.1", "127.example.net", "localhost.example.org", "128.0.0.1",
        "::ffff:10.0.0.1", "example.org", "",
    ])
    func beyondLoopback(_ host: String) { #expect(!ServeCommand.isLoopback(host)) }
}
