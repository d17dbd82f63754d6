import ArgumentParser
import DICOMwebClient
import Foundation

/// `lantern watch`: follows a server's change feed (issue 21), one line per instance created, replaced or
/// deleted: sequence, time, action, Study, Series and SOP Instance UIDs, tab-separated (or one JSON object per
/// line with `--json`). By default it prints what happens from now on; `--from N` starts after entry N (0: the
/// whole feed). `--no-follow` prints what is there and exits.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow the server's change feed: instances created, replaced, deleted.")

    @OptionGroup var server: ClientOptions

    @Option(help: "Start after this entry (0: from the beginning); default: only changes from now on.")
    var from: Int64?

    @Flag(inversion: .prefixedNo, help: "Keep following (polling) after the entries there are.")
    var follow = true

    @Option(help: "Seconds between two polls while following (0.2 to 60).")
    var interval: Double = 2

    @Flag(help: "One JSON object per line instead of tab-separated fields.")
    var json = false

    func validate() throws {
        guard (0.2...60).contains(interval) else { throw ValidationError("--interval must be from 0.2 to 60") }
        if let from, from < 0 { throw ValidationError("--from must be 0 or more") }
    }

    func run() async throws {
        let client = try server.makeClient(connections: 1)
        do {
            try await watch(client)
            try? await client.shutdown()
        } catch let error as DICOMwebClientError {
            try? await client.shutdown()
            Console.err("error: \(error)\n")
            throw ExitCode(1)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Prints the entries there are, then, when following, each new one as it appears.
    func watch(_ client: DICOMwebClient) async throws {
        var after: Int64
        if let from { after = from } else { after = try await client.latestChange()?.sequence ?? 0 }
        while true {
            let entries = try await client.changes(after: after)
            for entry in entries {
                Console.out(line(entry) + "\n")
                after = entry.sequence
            }
            if entries.count < 200 {
                guard follow else { return }
                try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            }
        }
    }

    func line(_ entry: ChangeFeedEntry) -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return (try? encoder.encode(entry)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
        return [
            String(entry.sequence), entry.timestamp, entry.action, entry.studyInstanceUID, entry.seriesInstanceUID,
            entry.sopInstanceUID,
        ].joined(separator: "\t")
    }
}
