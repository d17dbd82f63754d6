import ArgumentParser
import DICOMBinary
import DICOMCore
import DICOMDictionary
import DICOMJSON
import HTTPTypes
import HummingbirdWSClient
import Logging

/// `lantern worklist watch AE`: opens the AE's event channel (PS3.18 §11.13, a WebSocket) and prints each event
/// report as it arrives: reports queued while the AE was away come first.
struct WorklistWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print the event reports of an AE's channel as they arrive (one line each, or --json).")

    @OptionGroup var server: ClientOptions
    @Argument(help: "The AE Title.") var aeTitle: String
    @Option(help: "Stop after this many reports.") var count: Int?
    @Flag(help: "Print each report's DICOM JSON.") var json = false

    static let eventNames = [1: "state", 2: "cancel-requested", 3: "progress", 4: "scp-status", 5: "assigned"]

    func run() async throws {
        let client = try server.makeClient(connections: 1)
        let url = client.eventChannelURL(aeTitle)
        var headers: HTTPFields = [:]
        if let authorization = client.configuration.authorization {
            headers[.authorization] = authorization.headerValue
        }
        try? await client.shutdown()
        let limit = count
        let asJSON = json
        do {
            try await WebSocketClient.connect(
                url: url, configuration: .init(additionalHeaders: headers), logger: Logger(label: "lantern-watch")
            ) { inbound, outbound, _ in
                var seen = 0
                for try await message in inbound.messages(maxSize: 16 << 20) {
                    guard case .text(let text) = message else { continue }
                    Console.out((asJSON ? text : Self.line(text)) + "\n")
                    seen += 1
                    if let limit, seen >= limit {
                        try await outbound.close(.normalClosure, reason: nil)
                        return
                    }
                }
            }
        } catch {
            Console.err("error: \(url): \(error)\n")
            throw ExitCode(1)
        }
    }

    /// `state 1.2.3 IN PROGRESS`: the event, the workitem and what the report says.
    static func line(_ text: String) -> String {
        guard let report = try? DICOMJSONDecoder.decode(Array(text.utf8)) else { return text }
        let type = report.int(Tag.eventTypeID) ?? 0
        var parts = [eventNames[type] ?? "event-\(type)", report.string(Tag.affectedSOPInstanceUID) ?? "-"]
        for tag: UInt32 in [0x0074_1000, 0x0040_4041, 0x0074_1238, 0x0074_1242] {
            if let value = report.string(Tag(tag)) { parts.append(value) }
        }
        return parts.joined(separator: " ")
    }
}
