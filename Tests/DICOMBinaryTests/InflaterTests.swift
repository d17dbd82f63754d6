import Testing

@testable import DICOMBinary

@Suite("Inflater: raw inflate in bounded pieces")
struct InflaterTests {
    /// Compressible and incompressible bytes, so some input inflates to many times its size.
    static let original: [UInt8] =
        [UInt8](repeating: 7, count: 300_000)
        + (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    @Test(arguments: [(1, 1), (7, 100), (4096, 1 << 20), (1 << 20, 333)])
    func inflatesWhatWasDeflated(feed: Int, piece: Int) throws {
        let compressed = try Deflater.compress(Self.original)
        let inflater = try Inflater()
        var out: [UInt8] = []
        var position = 0
        while !inflater.isFinished {
            let bytes = try inflater.next(maxOutput: piece)
            #expect(bytes.count <= piece)
            if !bytes.isEmpty {
                out += bytes
                continue
            }
            guard position < compressed.count else { break }
            let end = min(position + feed, compressed.count)
            inflater.feed(compressed[position..<end])
            position = end
        }
        #expect(inflater.isFinished)
        #expect(out == Self.original)
    }
}
