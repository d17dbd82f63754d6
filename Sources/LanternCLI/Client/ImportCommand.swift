import ArgumentParser
import DICOMwebClient

/// `lantern import DIR`: loads a whole folder tree of DICOM files into an archive with STOW-RS, resumable
/// (a journal of stored files), skipping files it already sent and second copies of an instance, with a
/// progress bar on a terminal and a final summary.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a folder tree of DICOM files into a DICOMweb archive, resumably.",
        discussion: """
            Every file confirmed stored is recorded in a journal (default: \
            $XDG_STATE_HOME/lantern/import-<hash of folder and URL>.journal). Run the same command again \
            after an interruption and the files recorded with the same size and modification time are \
            skipped. A file holding a SOP Instance UID already sent from another file is skipped as a \
            duplicate; files that are not DICOM are skipped and counted. Exits with status 1 when any file \
            failed or changed while it was being sent (run the command again to send those).
            """)

    @OptionGroup var server: ClientOptions

    @Argument(help: "The folder to import.")
    var folder: String

    @Option(help: ArgumentHelp("The journal file (see above).", valueName: "file"))
    var journal: String?

    @Flag(help: "Forget the journal and send every file again.")
    var restart = false

    @OptionGroup var upload: UploadOptions

    @Flag(inversion: .prefixedNo, help: "Show a progress bar on a terminal (plain progress lines otherwise).")
    var progress = true

    func run() async throws {
        let found = try findFiles([folder])
        let journalPath = journal ?? ImportJournal.defaultPath(folder: folder, serviceRoot: server.serviceRoot)
        let record: ImportJournal
        do {
            record = try ImportJournal(path: journalPath, restart: restart)
        } catch {
            throw ValidationError("\(error)")
        }
        var items: [UploadItem] = []
        var known: [String: String] = [:]
        var before = 0
        var beforeBytes: Int64 = 0
        for (file, _) in found {
            if record.wasImported(file) {
                before += 1
                beforeBytes += file.size
                if let sop = record.recorded[file.display]?.sop { known[sop] = file.display }
            } else {
                items.append(UploadItem(file: file, payload: .part10))
            }
        }
        let totalBytes = items.reduce(Int64(0)) { $0 + $1.file.size }
        let display = ImportProgress(
            totalFiles: items.count, totalBytes: totalBytes, terminal: progress && Console.stderrIsTerminal)
        let observer = ImportObserver(journal: record, progress: display)
        if before > 0 {
            Console.err("import: \(before) files imported before (journal \(journalPath)); \(items.count) to go\n")
        }
        let client = try server.makeClient(connections: upload.concurrency)
        let ticker = Task {
            while !Task.isCancelled {
                await display.draw()
                try? await Task.sleep(nanoseconds: 250_000_000)
            }
        }
        let uploader = upload.uploader(client)
        await uploader.run(items, claims: SOPInstanceClaims(known: known), observer: observer)
        ticker.cancel()
        await display.finish()
        try? await client.shutdown()
        let failed = await observer.summary(
            before: before, seconds: Clock.now - display.started, journal: journalPath)
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Records stored files in the journal, counts outcomes and prints failures.
actor ImportObserver: UploadObserver {
    let journal: ImportJournal
    let progress: ImportProgress
    var stored = 0
    var warned = 0
    var failed = 0
    var duplicates = 0
    var notDICOM = 0
    var changed = 0
    var storedBytes: Int64 = 0

    init(journal: ImportJournal, progress: ImportProgress) {
        self.journal = journal
        self.progress = progress
    }

    func finished(_ results: [(file: UploadFile, outcome: UploadOutcome)]) async {
        var confirmed: [(UploadFile, String)] = []
        var lines = ""
        var bytes: Int64 = 0
        for (file, outcome) in results {
            bytes += file.size
            switch outcome {
            case .stored(let sop, let warning):
                stored += 1
                storedBytes += file.size
                confirmed.append((file, sop))
                if warning != nil {
                    warned += 1
                    lines += outcome.line(for: file)
                }
            case .failed:
                failed += 1
                lines += outcome.line(for: file)
            case .skipped(.duplicate):
                duplicates += 1
                lines += outcome.line(for: file)
            case .skipped(.changed):
                changed += 1
                lines += outcome.line(for: file)
            case .skipped:
                notDICOM += 1
                lines += outcome.line(for: file)
            }
        }
        await journal.record(confirmed)
        if !lines.isEmpty { await progress.print(lines) }
        await progress.add(files: results.count, bytes: bytes)
    }

    /// Prints the summary; returns the number of files failed or left for the next run.
    func summary(before: Int, seconds: Double, journal path: String) -> Int {
        let megabytes = Double(storedBytes) / 1_048_576
        let elapsed = max(seconds, 0.001)
        Console.out(
            "import: \(stored) stored (\(warned) with warnings), \(before) imported before, "
                + "\(duplicates) duplicates, \(notDICOM) not DICOM, \(changed) changed while sent, \(failed) failed; "
                + "\(format(megabytes, 1)) MB in \(format(seconds, 2)) s "
                + "(\(format(megabytes / elapsed, 1)) MB/s, \(format(Double(stored) / elapsed, 1)) instances/s)\n"
                + "journal: \(path)\n")
        return failed + changed
    }
}
