import DICOMBinary
import LanternTestSupport
import Testing

@Suite struct AsyncDriverTests {
    /// The async driver gives the same data set as the synchronous reader, whatever the chunk size.
    @Test(arguments: [1, 5, 4096])
    func asyncChunksBuildTheSameDataSet(chunk: Int) async throws {
        let path = try #require(Corpus.files.first { $0.hasSuffix("CT_small.dcm") })
        let bytes = Corpus.bytes(path)
        let expected = try DICOMReader.read(bytes)
        let stream = AsyncStream<ArraySlice<UInt8>> { continuation in
            var start = 0
            while start < bytes.count {
                continuation.yield(bytes[start..<min(start + chunk, bytes.count)])
                start += chunk
            }
            continuation.finish()
        }
        var parser = StreamParser()
        var builder = DataSetBuilder()
        try await parser.parse(stream) { builder.consume($0) }
        #expect(builder.isComplete)
        #expect(firstDifference(builder.dataSet, expected.dataSet) == nil)
    }

    @Test func asyncTruncationIsAnError() async throws {
        let path = try #require(Corpus.files.first { $0.hasSuffix("CT_small.dcm") })
        let bytes = Array(Corpus.bytes(path).prefix(5000))
        let stream = AsyncStream<[UInt8]> { continuation in
            continuation.yield(bytes)
            continuation.finish()
        }
        var parser = StreamParser()
        await #expect(throws: DICOMParseError.self) { try await parser.parse(stream) { _ in } }
    }
}
