import DICOMBinary
import DICOMCore
import DICOMJSON
import DICOMXML
import LanternTestSupport
import Testing

@testable import Archive

/// Ingest analysis over the corpus: what `/metadata` and `/frames` will serve must agree with a full read.
@Suite struct InstanceAnalyzerTests {
    static func analyze(
        _ bytes: [UInt8], chunk: Int = 65536, options: ParserOptions = ParserOptions()
    ) throws -> InstanceAnalysis? {
        var parser = StreamParser(options: options)
        var analyzer = InstanceAnalyzer()
        var i = 0
        while i < bytes.count {
            parser.append(bytes[i..<min(i + chunk, bytes.count)])
            while let event = try parser.next() { analyzer.consume(event) }
            i += chunk
        }
        parser.finish()
        while let event = try parser.next() { analyzer.consume(event) }
        return analyzer.analysis()
    }

    /// Ingest skips long binary values instead of buffering them (``InstanceAnalyzer/parserOptions``): the
    /// analysis must be exactly the one a parser delivering every byte gives, whatever the chunking.
    @Test(arguments: Corpus.files.filter { !Corpus.expectedFailures.contains(Corpus.name($0)) })
    func skippingLongValuesChangesNothing(_ path: String) throws {
        let bytes = Corpus.bytes(path)
        let full = try Self.analyze(bytes)
        for chunk in [997, 65536] {
            let skipped = try Self.analyze(bytes, chunk: chunk, options: InstanceAnalyzer.parserOptions)
            #expect(skipped?.metadataJSON == full?.metadataJSON, "JSON of \(Corpus.name(path)), chunk \(chunk)")
            #expect(skipped?.metadataXML == full?.metadataXML, "XML of \(Corpus.name(path)), chunk \(chunk)")
            #expect(skipped?.attributes == full?.attributes, "attributes of \(Corpus.name(path))")
            #expect(skipped?.pixelLayout == full?.pixelLayout, "frames of \(Corpus.name(path))")
            #expect(skipped?.pixelDataOffset == full?.pixelDataOffset)
        }
    }

    /// A stream cut inside a skipped value is reported as truncated, not as a complete instance.
    @Test func truncationInsideASkippedValueIsAnError() throws {
        let path = try #require(Corpus.files.first { $0.hasSuffix("CT_small.dcm") })
        let bytes = Corpus.bytes(path)
        #expect(throws: DICOMParseError.self) {
            _ = try Self.analyze(Array(bytes.dropLast(1000)), options: InstanceAnalyzer.parserOptions)
        }
    }

    @Test(arguments: Corpus.files.filter { !Corpus.expectedFailures.contains(Corpus.name($0)) })
    func analysisAgreesWithAFullRead(_ path: String) throws {
        let bytes = Corpus.bytes(path)
        let file = try DICOMReader.read(bytes)
        guard let analysis = try Self.analyze(bytes) else {
            Issue.record("no analysis for \(Corpus.name(path))")
            return
        }
        #expect(analysis.transferSyntax == file.transferSyntax)
        // Index attributes: every short top-level value of the file, unchanged.
        for element in file.dataSet where element.tag != .pixelData {
            if case .bytes(let value) = element.value, value.count <= InstanceAnalyzer.attributeLimit {
                #expect(
                    analysis.attributes[element.tag]?.value == element.value, "\(element.tag) in \(Corpus.name(path))")
            }
        }
        // The metadata documents decode, and hold the same top-level tags as the file.
        let json = try DICOMJSONDecoder.decode(analysis.metadataJSON)
        let xml = try NativeXMLDecoder.decode(analysis.metadataXML)
        // Group lengths are compared apart: the XML model leaves them out (PS3.19 §A.1).
        func tags(_ d: DataSet) -> Set<DICOMCore.Tag> { Set(d.map(\.tag).filter { $0.element != 0 }) }
        #expect(tags(json) == tags(file.dataSet), "JSON of \(Corpus.name(path))")
        #expect(tags(xml) == tags(file.dataSet), "XML of \(Corpus.name(path))")
        // Frames lie inside the file and, for native data, tile the Pixel Data value. Deflated instances have
        // no byte ranges in the stored file.
        if file.transferSyntax.isDeflated { #expect(analysis.pixelLayout == nil) }
        if let layout = analysis.pixelLayout {
            for n in 1...max(1, layout.frameCount) {
                for range in layout.ranges(ofFrame: n) ?? [] {
                    #expect(range.offset + range.length <= UInt64(bytes.count))
                }
            }
            if case .native(let offset, let length, let frames) = layout, !file.transferSyntax.isDeflated,
                case .bytes(let pixels)? = file.dataSet[.pixelData]?.value
            {
                #expect(offset + length * UInt64(frames) <= UInt64(bytes.count))
                let first = Array(bytes[Int(offset)..<Int(offset + length)])
                if !file.transferSyntax.isBigEndian { #expect(first == Array(pixels.prefix(Int(length)))) }
            }
        }
    }

    @Test func chunkingDoesNotChangeTheResult() throws {
        let path = try #require(Corpus.files.first { $0.hasSuffix("rtdose.dcm") })
        let bytes = Corpus.bytes(path)
        let whole = try #require(try Self.analyze(bytes, chunk: bytes.count))
        let small = try #require(try Self.analyze(bytes, chunk: 7))
        #expect(whole.metadataJSON == small.metadataJSON)
        #expect(whole.metadataXML == small.metadataXML)
        #expect(whole.pixelLayout == small.pixelLayout)
        #expect(whole.pixelLayout?.frameCount == 15)
    }

    @Test func attributeCodecRoundTrips() throws {
        for path in Corpus.files.prefix(40) where !Corpus.expectedFailures.contains(Corpus.name(path)) {
            guard let analysis = try Self.analyze(Corpus.bytes(path)) else { continue }
            let decoded = AttributeCodec.decode(AttributeCodec.encode(analysis.attributes))
            #expect(firstDifference(paddedToEven(decoded), paddedToEven(analysis.attributes)) == nil, "\(path)")
        }
    }
}
