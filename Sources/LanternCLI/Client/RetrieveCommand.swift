import ArgumentParser
import DICOMCore
import DICOMwebClient

/// `lantern retrieve STUDY [SERIES [INSTANCE]] --out DIR`: WADO-RS retrieve (PS3.18 §10.4) streamed to files
/// named by UID, `DIR/<study>/<series>/<instance>.dcm`; also metadata, frames and rendered images. Files
/// appear under their final names only when complete, so running the command again resumes: instances
/// already in DIR are not fetched again.
struct RetrieveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieve",
        abstract: "Retrieve a study, series or instance (or its metadata, frames, rendered images) to a folder.",
        discussion: """
            Instances go to DIR/<study>/<series>/<instance>.dcm in the transfer syntax asked for (default *: \
            as stored). The instances are listed first with QIDO-RS; when none is in DIR yet the whole study \
            or series streams in one response, otherwise only the missing instances are fetched. \
            --metadata-only writes DIR/<study>[/<series>]/metadata.json (or <instance>.json); --frames writes \
            DIR/<study>/<series>/<instance>/frame-<n>.<ext>; --rendered writes <instance>.<jpg|png|gif> (or \
            frame-<n>.<ext> with --frames).
            """)

    @OptionGroup var server: ClientOptions

    @Argument(help: "Study Instance UID.") var study: String
    @Argument(help: "Series Instance UID.") var series: String?
    @Argument(help: "SOP Instance UID.") var instance: String?

    @Option(name: [.short, .customLong("out")], help: ArgumentHelp("The folder to write to.", valueName: "dir"))
    var out: String

    @Option(
        name: .customLong("transfer-syntax"),
        help: ArgumentHelp("Transfer syntax UID of instances and frames; * keeps what is stored.", valueName: "uid"))
    var transferSyntax = "*"

    @Flag(name: .customLong("metadata-only"), help: "Retrieve the DICOM JSON metadata instead of the instances.")
    var metadataOnly = false

    @Option(help: ArgumentHelp("Frame numbers of the instance, e.g. 1,3,5.", valueName: "list"))
    var frames: String?

    @Flag(help: "Retrieve rendered images (of every instance, or of the --frames).")
    var rendered = false

    @Option(name: .customLong("media-type"), help: "Media type of rendered images: image/jpeg, image/png, image/gif.")
    var mediaType = "image/jpeg"

    @Option(help: "Requests in flight at once.")
    var concurrency = 4

    @Flag(inversion: .prefixedNo, help: "Show progress on a terminal.")
    var progress = true

    func validate() throws {
        for uid in [study, series, instance].compactMap({ $0 }) where !isSafeUID(uid) {
            throw ValidationError("\(uid) is not a UID (digits and dots, at most 64 characters)")
        }
        if instance != nil && series == nil { throw ValidationError("an instance needs its series") }
        if frames != nil && instance == nil { throw ValidationError("--frames needs an instance") }
        if metadataOnly && (frames != nil || rendered) {
            throw ValidationError("--metadata-only excludes --frames and --rendered")
        }
        if let frames, frameNumbers(frames) == nil {
            throw ValidationError("--frames takes frame numbers from 1 separated by commas")
        }
    }

    func frameNumbers(_ text: String) -> [Int]? {
        let numbers = text.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return numbers.map { $0! }
    }

    var levelPath: String {
        var path = "/studies/\(study)"
        if let series { path += "/series/\(series)" }
        if let instance { path += "/instances/\(instance)" }
        return path
    }

    var dicomAccept: String { "multipart/related; type=\"application/dicom\"; transfer-syntax=\(transferSyntax)" }

    func run() async throws {
        let client = try server.makeClient(connections: concurrency)
        let tally = RetrieveTally(terminal: progress && Console.stderrIsTerminal)
        let started = Clock.now
        do {
            if metadataOnly {
                try await metadata(client, tally)
            } else if let frames, let numbers = frameNumbers(frames), let series, let instance {
                try await self.frames(client, tally, series, instance, numbers)
            } else if rendered {
                try await renderInstances(client, tally)
            } else {
                try await instances(client, tally)
            }
        } catch {
            try? await client.shutdown()
            await tally.clear()
            Console.err("error: \(error)\n")
            throw ExitCode(1)
        }
        try? await client.shutdown()
        if await tally.summary(seconds: Clock.now - started) > 0 { throw ExitCode(1) }
    }

    // MARK: instances

    struct Target: Sendable, Hashable {
        var series: String
        var instance: String
    }

    func path(_ target: Target) -> String { "\(out)/\(study)/\(target.series)/\(target.instance).dcm" }

    /// Whether the target's file is there and holds that instance (a file emptied by a crash after its
    /// rename, or anything else under the name, is fetched again).
    func isRetrieved(_ target: Target) -> Bool {
        fileExists(path(target)) && InstanceFileInfo.read(path: path(target))?.sopInstanceUID == target.instance
    }

    /// The instances to fetch: the one named, or those QIDO-RS lists for the study or series.
    func targets(_ client: DICOMwebClient) async throws -> [Target] {
        if let series, let instance { return [Target(series: series, instance: instance)] }
        let query = SearchQuery(level: .instances, studyUID: study, seriesUID: series, includeFields: ["0020000E"])
        var unsafe = 0
        let found = try await client.searchAll(query).compactMap { set -> Target? in
            guard let sop = set.string(.sopInstanceUID), let seriesUID = set.string(.seriesInstanceUID) ?? series
            else { return nil }
            // UIDs become file names: anything but a UID (say `../x`) is refused.
            guard isSafeUID(sop), isSafeUID(seriesUID) else {
                unsafe += 1
                return nil
            }
            return Target(series: seriesUID, instance: sop)
        }
        if unsafe > 0 { Console.err("note: \(unsafe) listed instances have UIDs that are not UIDs; left out\n") }
        guard !found.isEmpty else { throw DICOMwebClientError(status: 404, "no instances found under \(levelPath)") }
        return found
    }

    func instances(_ client: DICOMwebClient, _ tally: RetrieveTally) async throws {
        let all = try await targets(client)
        var missing = all.filter { !isRetrieved($0) }
        await tally.expect(all.count, present: all.count - missing.count)
        if missing.count == all.count && instance == nil {
            do {
                try await streamLevel(client, tally)
            } catch {
                // A server that will not send the whole level (or breaks off) still serves instances.
                await tally.note(
                    "the \(series == nil ? "study" : "series") did not come in one response (\(error)); "
                        + "fetching its instances one by one")
            }
            missing = all.filter { !isRetrieved($0) }
        }
        await forEach(missing, concurrently: concurrency) { target in
            await fetch(client, tally, target)
        }
    }

    /// The whole study or series in one multipart response; each part is named by the UIDs in its header.
    func streamLevel(_ client: DICOMwebClient, _ tally: RetrieveTally) async throws {
        let folder = "\(out)/\(study)"
        var file: PartFile?
        try await client.retrieve(levelPath, accept: dicomAccept) { event in
            switch event {
            case .partStart: file = try PartFile(folder: folder)
            case .body(let bytes): try file?.write(bytes)
            case .partEnd:
                guard let part = file else { return }
                file = nil
                guard let info = InstanceFileInfo.fromHeader(path: part.temporary) else {
                    await tally.failed("a part of the response is not a DICOM instance")
                    return
                }
                let target = Target(series: info.seriesUID ?? series ?? "unknown-series", instance: info.sopInstanceUID)
                guard isSafeUID(target.series), isSafeUID(target.instance) else {
                    await tally.failed("a part has UIDs that are not UIDs; left out")
                    return
                }
                try part.commit(to: path(target))
                await tally.done(bytes: part.length)
            }
        }
    }

    /// One instance, into its file.
    func fetch(_ client: DICOMwebClient, _ tally: RetrieveTally, _ target: Target) async {
        do {
            var file: PartFile?
            var parts = 0
            try await client.retrieve(
                "/studies/\(study)/series/\(target.series)/instances/\(target.instance)", accept: dicomAccept
            ) { event in
                switch event {
                case .partStart:
                    parts += 1
                    if parts == 1 { file = try PartFile(folder: "\(out)/\(study)/\(target.series)") }
                case .body(let bytes): if parts == 1 { try file?.write(bytes) }
                case .partEnd: break
                }
            }
            guard let file else { throw DICOMwebClientError("the response held no instance") }
            try file.finish()
            guard file.length > 0 else {
                // An empty part (a server that lost the instance's bytes): never written as a file.
                await tally.damaged(target.instance)
                return
            }
            guard InstanceFileInfo.fromHeader(path: file.temporary)?.sopInstanceUID == target.instance else {
                throw DICOMwebClientError("the response is not the instance asked for")
            }
            try file.commit(to: path(target))
            await tally.done(bytes: file.length)
        } catch let error as DICOMwebClientError where error.status == 500 {
            // The server lists the instance but cannot read it (its bytes are missing or damaged).
            await tally.damaged(target.instance)
        } catch {
            await tally.failed("\(target.instance): \(error)")
        }
    }

    // MARK: metadata, frames, rendered

    func metadata(_ client: DICOMwebClient, _ tally: RetrieveTally) async throws {
        var destination = "\(out)/\(study)"
        if let series { destination += "/\(series)" }
        destination += instance.map { "/\($0).json" } ?? "/metadata.json"
        let folder = String(destination[..<destination.lastIndex(of: "/")!])
        let file = try PartFile(folder: folder)
        await tally.expect(1, present: 0)
        try await client.retrieve(levelPath + "/metadata", accept: "application/dicom+json") { event in
            if case .body(let bytes) = event { try file.write(bytes) }
        }
        try file.commit(to: destination)
        await tally.done(bytes: file.length)
    }

    func frames(
        _ client: DICOMwebClient, _ tally: RetrieveTally, _ series: String, _ instance: String, _ numbers: [Int]
    ) async throws {
        let folder = "\(out)/\(study)/\(series)/\(instance)"
        await tally.expect(numbers.count, present: 0)
        if rendered {
            await forEach(numbers, concurrently: concurrency) { number in
                await render(client, tally, "\(levelPath)/frames/\(number)/rendered", "\(folder)/frame-\(number)")
            }
            return
        }
        let type =
            transferSyntax == "*" ? MediaType.octetStream : FrameMediaTypes.mediaType(forTransferSyntax: transferSyntax)
        let accept = "multipart/related; type=\"\(type.essence)\"; transfer-syntax=\(transferSyntax)"
        var file: PartFile?
        var index = 0
        var ext = "raw"
        try await client.retrieve(
            levelPath + "/frames/" + numbers.map(String.init).joined(separator: ","), accept: accept
        ) { event in
            switch event {
            case .partStart(let headers):
                file = try PartFile(folder: folder)
                ext = Self.fileExtension(headers.contentType)
            case .body(let bytes): try file?.write(bytes)
            case .partEnd:
                guard let part = file, index < numbers.count else { return }
                try part.commit(to: "\(folder)/frame-\(numbers[index]).\(ext)")
                index += 1
                file = nil
                await tally.done(bytes: part.length)
            }
        }
        if index < numbers.count { throw DICOMwebClientError("the server sent \(index) of \(numbers.count) frames") }
    }

    func renderInstances(_ client: DICOMwebClient, _ tally: RetrieveTally) async throws {
        let all = try await targets(client)
        await tally.expect(all.count, present: 0)
        await forEach(all, concurrently: concurrency) { target in
            await render(
                client, tally, "/studies/\(study)/series/\(target.series)/instances/\(target.instance)/rendered",
                "\(out)/\(study)/\(target.series)/\(target.instance)")
        }
    }

    /// One rendered image into `stem` plus the extension of its media type.
    func render(_ client: DICOMwebClient, _ tally: RetrieveTally, _ path: String, _ stem: String) async {
        do {
            // The image type asked for first; an instance that is not an image (an encapsulated PDF, a
            // report, a video) has no such rendering (406) and comes in its own rendered type instead. Two
            // requests rather than one Accept list: some servers (Orthanc) refuse a list there.
            do {
                try await renderOnce(client, tally, path, stem, accept: mediaType)
            } catch let error as DICOMwebClientError where error.status == 406 {
                try await renderOnce(client, tally, path, stem, accept: "*/*")
            }
        } catch {
            await tally.failed("\(path): \(error)")
        }
    }

    private func renderOnce(
        _ client: DICOMwebClient, _ tally: RetrieveTally, _ path: String, _ stem: String, accept: String
    ) async throws {
        let folder = String(stem[..<stem.lastIndex(of: "/")!])
        let file = try PartFile(folder: folder)
        var type: MediaType?
        try await client.retrieve(path, accept: accept) { event in
            switch event {
            case .partStart(let headers): if type == nil { type = headers.contentType }
            case .body(let bytes): try file.write(bytes)
            case .partEnd: break
            }
        }
        try file.commit(to: stem + "." + Self.fileExtension(type))
        await tally.done(bytes: file.length)
    }

    /// The file name extension of a part of `type`. A frame sent as stored, `application/octet-stream` with
    /// an encapsulated transfer syntax, is named for what it holds (a JPEG frame `.jpg`, not `.raw`).
    static func fileExtension(_ type: MediaType?) -> String {
        if type?.essence == "application/octet-stream", let syntax = type?[parameter: "transfer-syntax"] {
            let held = FrameMediaTypes.mediaType(forTransferSyntax: syntax)
            if held.essence != "application/octet-stream" { return fileExtension(held) }
        }
        switch type?.essence {
        case "application/pdf": return "pdf"
        case "text/plain": return "txt"
        case "text/html": return "html"
        case "text/xml", "application/xml": return "xml"
        default: break
        }
        return switch type?.essence {
        case "image/jpeg": "jpg"
        case "image/png": "png"
        case "image/gif": "gif"
        case "image/jp2": "jp2"
        case "image/jphc": "jph"
        case "image/jls": "jls"
        case "image/dicom-rle": "rle"
        case "video/mpeg": "mpg"
        case "video/mp4": "mp4"
        case "application/octet-stream": "raw"
        default: "bin"
        }
    }
}

/// Counts what a retrieve wrote and failed, with a progress line on a terminal.
actor RetrieveTally {
    let terminal: Bool
    var total = 0
    var present = 0
    var written = 0
    var bytes: Int64 = 0
    var failures: [String] = []

    init(terminal: Bool) { self.terminal = terminal }

    func expect(_ total: Int, present: Int) {
        self.total = total
        self.present = present
    }

    func done(bytes: Int64) {
        written += 1
        self.bytes += bytes
        if terminal {
            Console.err(
                "\r\u{1B}[K\(present + written)/\(total) files, \(format(Double(self.bytes) / 1_048_576, 1)) MB")
        }
    }

    func note(_ text: String) {
        clear()
        Console.err("note: \(text)\n")
    }

    func failed(_ reason: String) {
        clear()
        failures.append(reason)
        Console.err("failed   \(reason)\n")
    }

    /// An instance the server lists but could not read: counted as a failure.
    func damaged(_ sopInstanceUID: String) {
        clear()
        failures.append("damaged: \(sopInstanceUID)")
        Console.err("damaged: \(sopInstanceUID): server could not read it\n")
    }

    func clear() { if terminal { Console.err("\r\u{1B}[K") } }

    /// Prints the summary; returns the number of failures.
    func summary(seconds: Double) -> Int {
        clear()
        let megabytes = Double(bytes) / 1_048_576
        Console.out(
            "retrieve: \(written) written, \(present) already present, \(failures.count) failed; "
                + "\(format(megabytes, 1)) MB in \(format(seconds, 2)) s (\(format(megabytes / max(seconds, 0.001), 1)) MB/s)\n"
        )
        return failures.count
    }
}
