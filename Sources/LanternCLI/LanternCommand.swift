import ArgumentParser

/// The `lantern` command: a DICOMweb archive and its tools.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct LanternCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lantern",
        abstract: "Lantern: a DICOMweb image archive and DICOM toolkit.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, StoreCommand.self, ImportCommand.self, QueryCommand.self, RetrieveCommand.self,
            DeleteCommand.self, WatchCommand.self,
            WorklistCommand.self, KeysCommand.self, DumpCommand.self, CapabilitiesCommand.self,
        ]
    )

    public init() {}
}

extension LanternCommand {
    /// Parses the command line and runs the chosen command, awaiting the asynchronous ones.
    ///
    /// ArgumentParser's own `main()` is resolved to its synchronous overload when called from an executable's
    /// top-level code on Linux, which refuses asynchronous commands; dispatching on the concrete types here
    /// avoids that.
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
