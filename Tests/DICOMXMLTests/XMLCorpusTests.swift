import DICOMXML
import Foundation
import LanternTestSupport
import Testing

@Suite struct XMLCorpusTests {
    @Test func corpusIsPresent() {
        #expect(Corpus.files.count >= 191, "corpus not found at \(Corpus.directory.path)")
    }

    /// For every file that parses: data set → XML → data set → XML gives the same document twice; the decoded
    /// data set equals the original (values compared after even-length padding, or as model values where
    /// the model normalizes them) unless the encoder warned; and streaming the parser's events straight into
    /// the encoder, with values in small chunks, writes the same document as the in-memory data set.
    @Test(arguments: Corpus.files)
    func xmlRoundTrip(path: String) throws {
        guard let file = try? DICOMReader.read(contentsOf: path) else { return }  // damaged on purpose
        var encoder = NativeXMLEncoder()
        EventReplay.replay(file.dataSet) { encoder.consume($0) }
        let first = encoder.takeOutput()
        var decodeWarnings: [String] = []
        let decoded = try NativeXMLDecoder.decode(first, warnings: &decodeWarnings)
        var again = NativeXMLEncoder()
        EventReplay.replay(decoded) { again.consume($0) }
        let second = again.takeOutput()
        #expect(firstDifference(first, second) == nil, "XML → data set → XML is not an identity")

        if encoder.warnings.isEmpty {
            #expect(decodeWarnings.isEmpty, "\(decodeWarnings)")
            let differences = DataSetComparison.differences(file.dataSet, decoded, characterSet: .default, path: "")
            #expect(differences.isEmpty, "\(differences.prefix(10))")
        }

        let (streamedDocument, streamWarnings) = try streamed(path)
        if streamWarnings.contains(where: { $0.contains("out of tag order") }) {
            // The stream is written in its own order; decoded, it is the data set the reader builds.
            #expect(try NativeXMLDecoder.decode(streamedDocument) == decoded)
        } else {
            #expect(
                firstDifference(first, streamedDocument) == nil, "streaming the parser's events changes the document")
        }
        if let dump = ProcessInfo.processInfo.environment["LANTERN_XML_DUMP"] {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            FileManager.default.createFile(atPath: "\(dump)/\(name).xml", contents: Data(first))
            if first != second {
                FileManager.default.createFile(atPath: "\(dump)/\(name).again.xml", contents: Data(second))
            }
            if first != streamedDocument {
                FileManager.default.createFile(atPath: "\(dump)/\(name).streamed.xml", contents: Data(streamedDocument))
            }
        }
    }

    /// The first line where two documents differ (line number and both lines, cut short), or `nil`.
    private func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        guard a != b else { return nil }
        let x = a.split(separator: 0x0A, omittingEmptySubsequences: false)
        let y = b.split(separator: 0x0A, omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? String(decoding: x[i].prefix(200), as: UTF8.self) : "(end)"
            let q = i < y.count ? String(decoding: y[i].prefix(200), as: UTF8.self) : "(end)"
            if p != q { return "line \(i + 1): \(p) ≠ \(q)" }
        }
        return "documents differ"
    }

    /// The document written from the parser's events directly, with values of more than 64 bytes in chunks.
    private func streamed(_ path: String) throws -> (document: [UInt8], warnings: [String]) {
        var options = ParserOptions()
        options.materializeLimit = 64
        var parser = StreamParser(options: options)
        var encoder = NativeXMLEncoder()
        var output: [UInt8] = []
        let bytes = Array(FileManager.default.contents(atPath: path) ?? Data())
        var start = 0
        while true {
            while let event = try parser.next() {
                encoder.consume(event)
                output += encoder.takeOutput()
                if case .end = event { return (output, encoder.warnings) }
            }
            guard start < bytes.count else {
                parser.finish()
                while let event = try parser.next() { encoder.consume(event) }
                return (output + encoder.takeOutput(), encoder.warnings)
            }
            let end = min(start + 4096, bytes.count)
            parser.append(bytes[start..<end])
            start = end
        }
    }
}

/// Compares data sets across an XML round trip.
enum DataSetComparison {
    static func differences(
        _ a: DataSet, _ b: DataSet, characterSet inherited: SpecificCharacterSet, path: String
    )
        -> [String]
    {
        var found: [String] = []
        let characterSet =
            a[.specificCharacterSet]?.value.bytes.map(SpecificCharacterSet.init(encodedValue:)) ?? inherited
        let expectedTags = a.filter { !$0.tag.isGroupLength }.map(\.tag)
        if expectedTags != b.map(\.tag) { found.append("\(path): tags differ") }
        for x in a where !x.tag.isGroupLength {
            guard let y = b[x.tag] else { continue }
            let here = "\(path)\(x.tag)"
            switch (x.value, y.value) {
            case (.sequence(let p), .sequence(let q)):
                guard p.count == q.count else {
                    found.append("\(here): \(p.count) items became \(q.count)")
                    continue
                }
                for (i, (s, t)) in zip(p, q).enumerated() {
                    found += differences(s, t, characterSet: characterSet, path: "\(here)[\(i + 1)]>")
                }
            case (.bytes(let p), .bytes(let q)):
                if x.vr != y.vr { found.append("\(here): VR \(x.vr) became \(y.vr)") }
                if padded(p, x.vr) == padded(q, y.vr) { continue }
                if !sameModel(p, q, vr: x.vr, characterSet) { found.append("\(here): value differs") }
            case (.bulk, _):
                continue
            default:
                if x.value != y.value { found.append("\(here): value differs") }
            }
        }
        return found
    }

    /// Whether two encodings mean the same model values (the model drops padding and insignificant spaces,
    /// writes IS and DS as number literals and leaves out trailing empty person name components).
    static func sameModel(_ p: [UInt8], _ q: [UInt8], vr: VR, _ characterSet: SpecificCharacterSet) -> Bool {
        guard let a = try? ModelValueCodec.decode(p, vr: vr, characterSet: characterSet),
            let b = try? ModelValueCodec.decode(q, vr: vr, characterSet: characterSet)
        else { return false }
        if case .personNames(let m) = a, case .personNames(let n) = b {
            func names(_ list: [PersonName?]) -> [[String]] {
                let groups = list.map(normalized).map { $0.allSatisfy(\.isEmpty) ? [] : $0 }
                return groups == [[]] ? [] : groups
            }
            return names(m) == names(n)
        }
        return a == b
    }

    private static func normalized(_ name: PersonName?) -> [String] {
        guard let name else { return [] }
        return [name.alphabetic, name.ideographic, name.phonetic].map { group in
            var components = PersonName.components(of: group ?? "")
            while components.last == "" { components.removeLast() }
            return components.joined(separator: "^")
        }
    }
}
