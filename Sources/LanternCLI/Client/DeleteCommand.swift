import ArgumentParser
import DICOMwebClient

/// `lantern delete STUDY [SERIES [INSTANCE]]`: deletes what a DICOMweb server stores under a study, a series
/// or an instance. On a terminal it asks first; elsewhere `--yes` is required, so a script never deletes by
/// accident.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a study, a series or an instance from a DICOMweb server.")

    @OptionGroup var server: ClientOptions

    @Argument(help: "Study Instance UID.") var study: String
    @Argument(help: "Series Instance UID.") var series: String?
    @Argument(help: "SOP Instance UID.") var instance: String?

    @Flag(name: [.short, .long], help: "Delete without asking.") var yes = false

    func run() async throws {
        let what =
            if let instance { "instance \(instance) of series \(series ?? "") of study \(study)" } else if let series {
                "series \(series) of study \(study)"
            } else { "study \(study)" }
        if !yes {
            guard Console.stdinIsTerminal else {
                Console.err("error: not deleting \(what) without confirmation: pass --yes\n")
                throw ExitCode(2)
            }
            Console.err("Delete \(what) from \(server.serviceRoot)? This cannot be undone. [y/N] ")
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                Console.err("nothing deleted\n")
                throw ExitCode(1)
            }
        }
        let client = try server.makeClient(connections: 1)
        do {
            try await client.delete(study: study, series: series, instance: instance)
            try? await client.shutdown()
        } catch let error as DICOMwebClientError where error.status == 404 {
            try? await client.shutdown()
            Console.err("error: nothing is stored as \(what)\n")
            throw ExitCode(1)
        } catch {
            try? await client.shutdown()
            Console.err("error: \(error)\n")
            throw ExitCode(1)
        }
        Console.out("deleted \(what)\n")
    }
}
