import DICOMBinary
import DICOMJSON
import LanternTestSupport
import Testing

@Suite struct ParserCorpusTests {
    @Test func corpusIsPresent() {
        #expect(Corpus.files.count >= 191, "corpus not found at \(Corpus.directory.path)")
    }

    /// Chunked parsing equals whole-buffer parsing, for chunks of 1, 7 and 64 KiB bytes; damaged files fail
    /// with the same error however they are chunked.
    @Test(arguments: Corpus.files)
    func chunkingDoesNotChangeTheResult(path: String) throws {
        let bytes = Corpus.bytes(path)
        let whole = Result { () throws(DICOMParseError) in try DICOMReader.read(bytes, chunkSize: bytes.count + 1) }
        let sizes = bytes.count <= 40_000 ? [1, 7, 65_536] : [7, 4096, 65_536]
        for size in sizes {
            let chunked = Result { () throws(DICOMParseError) in try DICOMReader.read(bytes, chunkSize: size) }
            switch (whole, chunked) {
            case (.success(let a), .success(let b)):
                #expect(firstDifference(a, b) == nil, "chunk size \(size)")
            case (.failure(let a), .failure(let b)):
                #expect(a.code == b.code && a.offset == b.offset, "chunk size \(size): \(a) vs \(b)")
            default:
                Issue.record(
                    "chunk size \(size): one parse failed: \(String(describing: whole).prefix(300)) vs \(String(describing: chunked).prefix(300))"
                )
            }
        }
        if Corpus.expectedFailures.contains(Corpus.name(path)) {
            guard case .failure(let error) = whole else {
                Issue.record("a damaged file parsed without error")
                return
            }
            #expect(error.code == .truncated || error.code == .badLength)
            #expect(error.offset > 0)
        } else {
            _ = try whole.get()
        }
    }

    /// parse → write → parse is an identity in explicit VR little endian, implicit VR and big endian.
    @Test(arguments: Corpus.files.filter { !Corpus.expectedFailures.contains(Corpus.name($0)) })
    func writeThenParseIsIdentity(path: String) throws {
        let file = try DICOMReader.read(contentsOf: path)
        var syntaxes: [TransferSyntax] = [
            file.transferSyntax, .explicitVRLittleEndian, .deflatedExplicitVRLittleEndian,
        ]
        if !file.transferSyntax.isEncapsulated { syntaxes += [.implicitVRLittleEndian, .explicitVRBigEndian] }
        let expected = paddedToEven(file.dataSet)
        for ts in syntaxes {
            let written = try DICOMWriter.part10(file.dataSet, fileMeta: file.fileMeta, transferSyntax: ts)
            let reread = try DICOMReader.read(written)
            #expect(reread.transferSyntax == ts)
            #expect(reread.warnings.isEmpty, "\(ts): \(reread.warnings)")
            if ts.isExplicitVR {
                #expect(firstDifference(reread.dataSet, expected) == nil, "\(ts)")
            } else {
                // Implicit VR loses VRs the dictionary cannot restore (private tags, UN); compare values.
                #expect(reread.dataSet.map(\.tag) == expected.map(\.tag), "\(ts)")
            }
            // The writer is a fixed point: writing what it read gives the same bytes.
            let again = try DICOMWriter.part10(reread.dataSet, fileMeta: reread.fileMeta, transferSyntax: ts)
            if ts.isExplicitVR { #expect(again == written, "\(ts)") }
        }
    }

    /// DICOM JSON → data set → DICOM JSON is an identity (PS3.18 Annex F).
    @Test(arguments: Corpus.files.filter { !Corpus.expectedFailures.contains(Corpus.name($0)) })
    func jsonRoundTrip(path: String) throws {
        let file = try DICOMReader.read(contentsOf: path)
        var encoder = DICOMJSONEncoder()
        try DICOMReader.events(contentsOf: path) { encoder.consume($0) }
        let json = encoder.takeOutput()
        let decoded = try DICOMJSONDecoder.decode(json)
        let again = Array(DICOMJSONEncoder.encode(decoded).utf8)
        #expect(firstDifference(again, json) == nil, "JSON → data set → JSON")
        // Streaming from parser events and encoding the in-memory data set agree.
        #expect(firstDifference(Array(DICOMJSONEncoder.encode(file.dataSet).utf8), json) == nil, "event vs data set")
        if encoder.warnings.isEmpty {
            #expect(decoded.map(\.tag) == file.dataSet.map(\.tag))
        }
    }
}

@Suite struct ChunkedValueEncodingTests {
    /// Values and fragments longer than the materialize limit arrive in chunks; the streaming JSON must be
    /// the same as for the whole data set (regression: a chunked fragment used to close the attribute).
    @Test(arguments: ["JPEG2000.dcm", "SC_rgb_rle_2frame.dcm", "CT_small.dcm", "emri_small_jpeg_2k_lossless.dcm"])
    func chunkedValuesEncodeLikeWholeOnes(name: String) throws {
        guard let path = Corpus.files.first(where: { $0.hasSuffix(name) }) else { return }
        var options = ParserOptions()
        options.materializeLimit = 100
        var encoder = DICOMJSONEncoder()
        var chunks = 0
        try DICOMReader.events(contentsOf: path, options: options) { event in
            if case .valueChunk = event { chunks += 1 }
            encoder.consume(event)
        }
        #expect(chunks > 0)
        let streamed = encoder.takeOutput()
        let file = try DICOMReader.read(contentsOf: path)
        #expect(firstDifference(streamed, Array(DICOMJSONEncoder.encode(file.dataSet).utf8)) == nil)
        _ = try DICOMJSONDecoder.decode(streamed)  // well-formed
    }
}
