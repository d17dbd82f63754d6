import Archive
import ArgumentParser
import DICOMBinary
import DICOMCore
import DICOMDictionary
import DICOMwebClient

/// `lantern worklist …`: a UPS-RS user agent (PS3.18 §11) for any DICOMweb worklist — create, list, claim,
/// complete and cancel workitems, subscribe an AE and watch its event channel.
struct WorklistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worklist",
        abstract: "Create, search, claim, complete and cancel UPS workitems; subscribe and watch events.",
        subcommands: [
            WorklistCreate.self, WorklistList.self, WorklistClaim.self, WorklistComplete.self, WorklistCancel.self,
            WorklistSubscribe.self, WorklistWatch.self,
        ])
}

/// Runs `body` with a client for `options`, reporting a failure on standard error with exit status 1.
func withWorklistClient(
    _ options: ClientOptions, _ body: (DICOMwebClient) async throws -> Void
) async throws {
    let client = try options.makeClient(connections: 1)
    do {
        try await body(client)
        try? await client.shutdown()
    } catch {
        try? await client.shutdown()
        Console.err("error: \(error)\n")
        throw ExitCode(1)
    }
}

/// Prints the server's warnings.
func report(_ reply: WorklistReply) {
    for warning in reply.warnings { Console.err("warning: \(warning)\n") }
}

struct WorklistCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a SCHEDULED workitem and print its UID.")

    @OptionGroup var server: ClientOptions

    @Option(help: "The Procedure Step Label.") var label: String
    @Option(help: "LOW, MEDIUM or HIGH.") var priority = "MEDIUM"
    @Option(help: ArgumentHelp("When it is scheduled (DT), default now.", valueName: "datetime")) var start: String?
    @Option(help: "READY, UNAVAILABLE or INCOMPLETE.") var readiness = "READY"
    @Option(help: ArgumentHelp("Its UID; the server makes one otherwise.", valueName: "uid")) var uid: String?
    @Option(
        name: [.customShort("m"), .customLong("set")],
        help: ArgumentHelp("Another attribute: Keyword=Value or GGGGEEEE[:VR]=Value.", valueName: "key=value"))
    var assignments: [String] = []

    func run() async throws {
        var dataSet = DataSet()
        let defaults = [
            "ProcedureStepState=SCHEDULED", "ProcedureStepLabel=\(label)", "ScheduledProcedureStepPriority=\(priority)",
            "ScheduledProcedureStepStartDateTime=\(start ?? DICOMClock.nowDT())", "InputReadinessState=\(readiness)",
        ]
        do {
            for text in defaults + assignments { dataSet.set(try AttributeAssignment(parsing: text).element()) }
        } catch {
            throw ValidationError("\(error)")
        }
        let edited = dataSet
        try await withWorklistClient(server) { client in
            let reply = try await client.createWorkitem(edited, uid: uid)
            report(reply)
            Console.out(reply.uid + "\n")
        }
    }
}

struct WorklistList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Search workitems (QIDO-RS matching keys) and print a table.")

    @OptionGroup var server: ClientOptions

    @Option(
        name: [.customShort("k"), .customLong("match")],
        help: ArgumentHelp("A matching key: Keyword=Value.", valueName: "key=value"))
    var matches: [String] = []
    @Option(help: "The most results.") var limit: Int?

    func run() async throws {
        let pairs = try matches.map { text -> (String, String) in
            guard let equals = text.firstIndex(of: "=") else { throw ValidationError("\(text): expected Key=Value") }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
        try await withWorklistClient(server) { client in
            let found = try await client.searchWorkitems(pairs, limit: limit)
            let columns: [(String, Tag)] = [
                ("SOPInstanceUID", Tag.sopInstanceUID), ("ProcedureStepState", Tag.procedureStepState),
                ("ProcedureStepLabel", Tag.procedureStepLabel), ("Priority", Tag.scheduledProcedureStepPriority),
                ("ScheduledStart", Tag.scheduledProcedureStepStartDateTime), ("PatientName", Tag.patientName),
            ]
            let rows = found.map { set in columns.map { ResultTable.text(set, $0.1) } }
            Console.out(ResultTable.table(columns.map(\.0), rows))
            Console.err("\(rows.count) \(rows.count == 1 ? "workitem" : "workitems")\n")
        }
    }
}

struct WorklistClaim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Claim a workitem (IN PROGRESS) and print the Transaction UID that proves ownership.")

    @OptionGroup var server: ClientOptions
    @Argument(help: "The workitem UID.") var workitem: String
    @Option(help: ArgumentHelp("The Transaction UID to use; a new one otherwise.", valueName: "uid"))
    var transaction: String?

    func run() async throws {
        let owner = transaction ?? UIDGenerator.make()
        try await withWorklistClient(server) { client in
            report(try await client.changeWorkitemState(workitem, to: "IN PROGRESS", transactionUID: owner))
            Console.out(owner + "\n")
        }
    }
}

struct WorklistComplete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete",
        abstract: "Record the performed procedure and complete a claimed workitem (PS3.4 §CC.2.5.1.1).")

    @OptionGroup var server: ClientOptions
    @Argument(help: "The workitem UID.") var workitem: String
    @Option(help: ArgumentHelp("The Transaction UID of the claim.", valueName: "uid")) var transaction: String
    @Option(help: "The performing station's code value (scheme 99LANTERN).") var station = "LANTERN"
    @Option(help: ArgumentHelp("When the work started (DT), default now.", valueName: "datetime")) var started: String?

    func run() async throws {
        let now = DICOMClock.nowDT()
        func code(_ value: String) -> DataSet {
            DataSet([
                .text(Tag.codeValue, .SH, value),
                .text(Tag.codingSchemeDesignator, .SH, "99LANTERN"),
                .text(Tag.codeMeaning, .LO, value),
            ])
        }
        let performed = DataSet([
            DataElement(Tag.performedWorkitemCodeSequence, items: [code("PERFORMED")]),
            DataElement(Tag.performedStationNameCodeSequence, items: [code(station)]),
            DataElement(Tag.outputInformationSequence, items: []),
            .text(Tag.performedProcedureStepStartDateTime, .DT, started ?? now),
            .text(Tag.performedProcedureStepEndDateTime, .DT, now),
        ])
        let changes = DataSet([DataElement(Tag.unifiedProcedureStepPerformedProcedureSequence, items: [performed])])
        try await withWorklistClient(server) { client in
            report(try await client.updateWorkitem(workitem, changes, transactionUID: transaction))
            report(try await client.changeWorkitemState(workitem, to: "COMPLETED", transactionUID: transaction))
        }
    }
}

struct WorklistCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a workitem you claimed (--transaction), or ask its performer to (a cancellation request).")

    @OptionGroup var server: ClientOptions
    @Argument(help: "The workitem UID.") var workitem: String
    @Option(help: ArgumentHelp("The Transaction UID of your claim.", valueName: "uid")) var transaction: String?
    @Option(help: "Why (with a cancellation request).") var reason: String?

    func run() async throws {
        try await withWorklistClient(server) { client in
            if let transaction {
                report(try await client.changeWorkitemState(workitem, to: "CANCELED", transactionUID: transaction))
            } else {
                report(try await client.requestWorkitemCancellation(workitem, reason: reason))
            }
        }
    }
}

struct WorklistSubscribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Subscribe an AE to a workitem, to the whole worklist, or to the workitems matching a filter.",
        discussion: "Without --workitem or --filter the AE follows every workitem. --remove unsubscribes.")

    @OptionGroup var server: ClientOptions
    @Argument(help: "The AE Title.") var aeTitle: String
    @Option(help: ArgumentHelp("One workitem.", valueName: "uid")) var workitem: String?
    @Option(help: ArgumentHelp("Key=Value[,Key=Value…] for a filtered worklist.", valueName: "filter")) var filter:
        String?
    @Flag(help: "Ask for a Deletion Lock.") var lock = false
    @Flag(help: "Unsubscribe instead.") var remove = false

    func validate() throws {
        if workitem != nil && filter != nil { throw ValidationError("--workitem and --filter exclude each other") }
    }

    func run() async throws {
        let target =
            workitem ?? (filter == nil ? DICOMwebClient.globalSubscription : DICOMwebClient.filteredSubscription)
        try await withWorklistClient(server) { client in
            if remove {
                try await client.unsubscribe(aeTitle, from: target)
            } else {
                Console.out(try await client.subscribe(aeTitle, to: target, deletionLock: lock, filter: filter) + "\n")
            }
        }
    }
}
