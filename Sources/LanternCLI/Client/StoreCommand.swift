import ArgumentParser
import DICOMCore
import DICOMwebClient

#if canImport(Glibc)
    import Glibc
#endif

/// `lantern store FILE|DIR…`: sends DICOM files to a DICOMweb server with STOW-RS (PS3.18 §10.5), and wraps
/// JPEG, PNG, MPEG-2, MP4, PDF, CDA and STL files named on the command line as new instances (metadata and
/// bulk data, §10.5.1.2.2) with attributes from `-m` and an optional metadata file.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Store DICOM files (and wrapped JPEG, PNG, MPEG, MP4, PDF, CDA, STL files) with STOW-RS.",
        discussion: """
            Folders are searched recursively for DICOM files; other files found in them are skipped with a \
            note. A non-DICOM file named on the command line is wrapped as a new instance: its metadata comes \
            from --metadata (DICOM JSON or XML), then the -m options; missing UIDs are generated, one study \
            for the whole command and one series per kind (images, videos, documents). -m applies to wrapped \
            files only; Part 10 files are sent unchanged.
            Prints one line per file (stored, warning, failed, skipped) and exits with status 1 when any \
            file failed.
            """)

    @OptionGroup var server: ClientOptions

    @Argument(help: "Files and folders to store.")
    var paths: [String]

    @Option(
        name: [.customShort("m"), .customLong("attribute")],
        help: ArgumentHelp(
            "An attribute of wrapped files: Keyword=Value or GGGGEEEE=Value (values split on \\).",
            valueName: "key=value"))
    var attributes: [String] = []

    @Option(help: ArgumentHelp("A DICOM JSON or XML metadata file for wrapped files.", valueName: "file"))
    var metadata: String?

    @OptionGroup var upload: UploadOptions

    @Flag(
        name: .customLong("build-locally"),
        help:
            "Build wrapped files into DICOM instances here and send those (otherwise done only when the server refuses metadata and bulk data with 415)."
    )
    var buildLocally = false

    @Flag(help: "Print only failures and the summary.")
    var quiet = false

    /// A wrapped file added to a stored study (`-m StudyInstanceUID=…`) takes the study's patient unless it
    /// names one itself: a document added to a study belongs to that study's patient, and the server refuses
    /// an instance of another patient (`patient-conflicts`). Patient attributes of the template or `-m` win.
    static func joiningStoredStudy(
        _ template: DataSet, _ assignments: [AttributeAssignment], server: ClientOptions
    ) async -> DataSet {
        let assigned = Set(assignments.map(\.tag))
        let study =
            assignments.last(where: { $0.tag == Tag.studyInstanceUID })?.values.first
            ?? template.string(Tag.studyInstanceUID)
        guard let study, !study.isEmpty,
            !assigned.contains(where: { $0.group == 0x0010 }), !template.contains(where: { $0.tag.group == 0x0010 })
        else { return template }
        let patientTags = ["00100010", "00100020", "00100021", "00100030", "00100040"]
        guard let client = try? server.makeClient(connections: 1) else { return template }
        let query = SearchQuery(
            level: .studies, studyUID: nil, seriesUID: nil, matches: [("StudyInstanceUID", study)],
            includeFields: patientTags, limit: 1, offset: nil, fuzzyMatching: false)
        let result = try? await client.search(query).results.first
        try? await client.shutdown()
        guard let found = result else { return template }
        var joined = template
        for element in found where element.tag.group == 0x0010 { joined.set(element) }
        if let charset = found[Tag.specificCharacterSet] { joined.set(charset) }
        return joined
    }

    func run() async throws {
        let assignments: [AttributeAssignment]
        var wrapper: InstanceWrapper
        do {
            assignments = try attributes.map { text throws(DICOMwebClientError) in
                try AttributeAssignment(parsing: text)
            }
            var template = try metadata.map { try InstanceWrapper.template(path: $0) } ?? DataSet()
            template = await Self.joiningStoredStudy(template, assignments, server: server)
            wrapper = try InstanceWrapper(template: template, assignments: assignments)
        } catch {
            throw ValidationError("\(error)")
        }
        let found = try findFiles(paths)
        if wrapper.namesInstance, found.filter({ $0.explicit }).count > 1 {
            throw ValidationError(
                "a SOP Instance UID from -m or --metadata names one instance: wrap one file at a time with it")
        }
        var items: [UploadItem] = []
        var skipped: [(UploadFile, UploadOutcome)] = []
        var wrappedCount = 0
        for (file, explicit) in found {
            guard explicit, InstanceFileInfo.read(path: file.path) == nil else {
                items.append(UploadItem(file: file, payload: .part10))
                continue
            }
            guard let kind = WrappedFileKind.detect(path: file.path) else {
                skipped.append((file, .skipped(.notWrappable)))
                continue
            }
            wrappedCount += 1
            let wrapped = wrapper.wrap(path: file.path, size: file.size, kind: kind, location: "bulk/\(wrappedCount)")
            items.append(
                UploadItem(
                    file: file,
                    payload: .wrapped(
                        metadata: wrapped.metadata, bulk: wrapped.bulk, sopInstanceUID: wrapped.sopInstanceUID)))
        }
        if !attributes.isEmpty || metadata != nil, wrappedCount == 0 {
            Console.err("note: -m and --metadata apply to wrapped files only; Part 10 files are sent unchanged\n")
        }
        let client = try server.makeClient(connections: upload.concurrency)
        let report = StoreReport(quiet: quiet)
        await report.finished(skipped.map { ($0.0, $0.1) })
        let started = Clock.now
        let builder = wrappedCount > 0 ? try? LocalInstanceBuilder.make() : nil
        defer { builder?.finish() }
        let uploader = upload.uploader(client, localBuilder: builder, buildLocally: buildLocally)
        await uploader.run(items, claims: nil, observer: report)
        try? await client.shutdown()
        let failed = await report.summary(seconds: Clock.now - started)
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Finds files, turning a missing path into a usage error.
func findFiles(_ paths: [String]) throws -> [(file: UploadFile, explicit: Bool)] {
    do {
        return try FileFinder.find(paths)
    } catch {
        throw ValidationError("\(error)")
    }
}

/// Prints one line per file as batches complete, and the summary.
actor StoreReport: UploadObserver {
    let quiet: Bool
    var stored = 0
    var warned = 0
    var failed = 0
    var skipped = 0
    var bytes: Int64 = 0

    init(quiet: Bool) { self.quiet = quiet }

    func finished(_ results: [(file: UploadFile, outcome: UploadOutcome)]) {
        var text = ""
        for (file, outcome) in results {
            var isFailure = false
            switch outcome {
            case .stored(_, let warning):
                stored += 1
                if warning != nil { warned += 1 }
                bytes += file.size
            case .failed:
                failed += 1
                isFailure = true
            case .skipped: skipped += 1
            }
            if isFailure || !quiet { text += outcome.line(for: file) }
        }
        Console.out(text)
    }

    /// Prints the summary; returns the number of failures.
    func summary(seconds: Double) -> Int {
        let megabytes = Double(bytes) / 1_048_576
        Console.out(
            "store: \(stored) stored (\(warned) with warnings), \(failed) failed, \(skipped) skipped; "
                + "\(format(megabytes, 1)) MB in \(format(seconds, 2)) s\n")
        return failed
    }
}

/// A monotonic clock in seconds.
enum Clock {
    static var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// `value` with `digits` decimals.
func format(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if digits == 0 {
            text = String(text[..<dot])
        } else if decimals < digits {
            text += String(repeating: "0", count: digits - decimals)
        }
    }
    return text
}
