import ArgumentParser

/// The `lantern` command: a DICOMweb archive and its tools.
public struct LanternCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lantern",
        abstract: "Lantern: a DICOMweb image archive and DICOM toolkit.",
        version: "0.1.0",
        subcommands: [DumpCommand.self]
    )

    public init() {}
}
