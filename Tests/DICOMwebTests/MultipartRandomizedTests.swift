import DICOMweb
import LanternTestSupport
import Testing

/// Randomized differential tests: contents made of delimiter-like bytes, split whole and in random chunk sizes
/// (the whole-buffer path skips Horspool-style, short chunks mostly take the partial-delimiter path).
@Suite struct MultipartRandomizedTests {
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    @Test(arguments: ["b", "bb", "b-b", "0123456789abcdef0123456789abcdef"])
    func delimiterLikeContentSurvivesAnyChunking(boundary: String) throws {
        var generator = SplitMix64(seed: UInt64(boundary.utf8.count))
        let alphabet = [UInt8]("\r\n--") + Array(boundary.utf8) + [UInt8]("x \t")
        let delimiter = [UInt8]("\r\n--\(boundary)")
        var checked = 0
        while checked < 150 {
            let contents: [[UInt8]] = (0..<Int(generator.next() % 4)).map { _ in
                (0..<Int(generator.next() % 120)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            }
            // Contents must not contain the delimiter (RFC 2046 §5.1.1), counting the CRLFs around them.
            if contents.contains(where: { Self.contains([13, 10] + $0 + [13, 10], delimiter) }) { continue }
            checked += 1
            var writer = MultipartWriter(boundary: boundary)
            var body: [UInt8] = []
            for content in contents { body += writer.beginPart(headers: [.init(name: "N", value: "v")]) + content }
            body += writer.finish()
            let whole = try split(body, boundary: boundary)
            #expect(whole.error == nil)
            #expect(whole.sawEnd)
            #expect(whole.parts.map(\.body) == contents)
            let sizes = (0..<5).map { _ in 1 + Int(generator.next() % 9) }
            #expect(try split(body, boundary: boundary, chunkSizes: sizes, maxBodyChunk: 5) == whole)
        }
    }
}
