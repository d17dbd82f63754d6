import ArgumentParser
import DICOMCore
import DICOMDictionary
import DICOMwebClient

/// `lantern query studies|series|instances`: a QIDO-RS search (PS3.18 §10.6) printed as a table, as the
/// server's DICOM JSON (`--json`) or as CSV (`--csv`).
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Search studies, series or instances with QIDO-RS.",
        discussion: """
            Matching follows PS3.4 on the server: wildcards (* ?), ranges (20240101-20241231), lists of UIDs \
            (a\\b). Columns are the level's usual attributes, the matching keys and the --include attributes. \
            A Warning from the server (results cut at a limit) is printed on standard error.
            """)

    enum Level: String, ExpressibleByArgument, CaseIterable {
        case studies, series, instances
    }

    @OptionGroup var server: ClientOptions

    @Argument(help: "studies, series or instances.")
    var level: Level

    @Option(help: ArgumentHelp("Search within one study.", valueName: "uid"))
    var study: String?

    @Option(help: ArgumentHelp("Search within one series (with --study).", valueName: "uid"))
    var series: String?

    @Option(
        name: [.customShort("k"), .customLong("match")],
        help: ArgumentHelp(
            "A matching key: Keyword=Value, GGGGEEEE=Value or Sequence.Keyword=Value.", valueName: "key=value"))
    var matches: [String] = []

    @Option(
        name: [.customShort("i"), .customLong("include")],
        help: ArgumentHelp("Another attribute to return (keyword or tag), or all.", valueName: "attribute"))
    var includes: [String] = []

    @Option(help: "The most results.")
    var limit: Int?

    @Option(help: "Results to skip.")
    var offset: Int?

    @Flag(help: "Fuzzy matching of person names.")
    var fuzzy = false

    @Flag(help: "Print the server's DICOM JSON.")
    var json = false

    @Flag(help: "Print CSV (RFC 4180) with a header row of keywords.")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
        if series != nil && study == nil && level == .instances {
            throw ValidationError("--series needs --study")
        }
        for match in matches where !match.contains("=") {
            throw ValidationError("\(match): expected Key=Value")
        }
    }

    func run() async throws {
        let pairs = matches.map { text -> (String, String) in
            let equals = text.firstIndex(of: "=")!
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
        let query = SearchQuery(
            level: SearchLevel(rawValue: level.rawValue)!, studyUID: study, seriesUID: series, matches: pairs,
            includeFields: includes, limit: limit, offset: offset, fuzzyMatching: fuzzy)
        let client = try server.makeClient(connections: 1)
        let result: SearchResult
        do {
            result = try await client.search(query)
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            Console.err("error: \(error)\n")
            throw ExitCode(1)
        }
        for warning in result.warnings { Console.err("warning: \(warning)\n") }
        if json {
            Console.out(String(decoding: result.json, as: UTF8.self) + "\n")
            return
        }
        let columns = Self.columns(level: level, matches: pairs.map(\.0), includes: includes, results: result.results)
        let rows = result.results.map { set in columns.map { ResultTable.text(set, $0.tag) } }
        let headers = columns.map(\.name)
        Console.out(csv ? ResultTable.csv(headers, rows) : ResultTable.table(headers, rows))
        if !csv { Console.err("\(rows.count) \(rows.count == 1 ? "result" : "results")\n") }
    }

    static let defaults: [Level: [String]] = [
        .studies: [
            "StudyInstanceUID", "StudyDate", "PatientName", "PatientID", "ModalitiesInStudy", "StudyDescription",
            "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances",
        ],
        .series: [
            "SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription", "NumberOfSeriesRelatedInstances",
        ],
        .instances: ["SOPInstanceUID", "SOPClassUID", "InstanceNumber", "Rows", "Columns", "NumberOfFrames"],
    ]

    /// The level's usual attributes, then the matching keys and includes not among them (top-level only;
    /// with `includefield=all`, every top-level attribute any result has).
    static func columns(
        level: Level, matches: [String], includes: [String], results: [DataSet]
    ) -> [(
        name: String, tag: Tag
    )] {
        var names = defaults[level]!
        for name in matches + includes where !name.contains(".") && name != "all" { names.append(name) }
        var columns: [(name: String, tag: Tag)] = []
        var seen = Set<Tag>()
        for name in names {
            guard let tag = AttributeAssignment.resolveTag(named: name), seen.insert(tag).inserted else { continue }
            columns.append((DataDictionary.keyword(for: tag) ?? name, tag))
        }
        if includes.contains("all") {
            for set in results {
                for element in set
                where !element.tag.isFileMeta && element.vr != .SQ && seen.insert(element.tag).inserted {
                    columns.append((DataDictionary.keyword(for: element.tag) ?? "\(element.tag)", element.tag))
                }
            }
        }
        return columns
    }
}

/// Text renderings of search results.
enum ResultTable {
    /// The values of `tag` joined with `\`; empty when absent.
    static func text(_ set: DataSet, _ tag: Tag) -> String {
        ((try? set.strings(tag)) ?? []).joined(separator: "\\")
    }

    /// An aligned table with a header row; values longer than 64 characters are cut with `…`.
    static func table(_ headers: [String], _ rows: [[String]]) -> String {
        let cut = rows.map { $0.map { $0.count > 64 ? String($0.prefix(63)) + "…" : $0 } }
        var widths = headers.map(\.count)
        for row in cut { for (i, value) in row.enumerated() { widths[i] = max(widths[i], value.count) } }
        func line(_ values: [String]) -> String {
            var text = ""
            for (i, value) in values.enumerated() {
                text +=
                    i == values.count - 1 ? value : value + String(repeating: " ", count: widths[i] - value.count + 2)
            }
            return text + "\n"
        }
        return ([line(headers)] + cut.map(line)).joined()
    }

    /// CSV (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends.
    static func csv(_ headers: [String], _ rows: [[String]]) -> String {
        func field(_ value: String) -> String {
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacing("\"", with: "\"\"") + "\""
        }
        return ([headers] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }
}
