import DICOMweb
import LanternTestSupport
import Testing

@Suite struct MultipartSplitterTests {
    static let twoParts = [UInt8](
        "--XyZ\r\nContent-Type: application/dicom\r\nContent-Location: a\r\n\r\nfirst\r\n-part\r\n\r\n"
            + "--XyZ\r\ncontent-type: application/dicom+json\r\n\r\n{\"x\":1}\r\n--XyZ--\r\n")

    static func checkTwoParts(_ result: SplitResult) {
        #expect(result.error == nil)
        #expect(result.sawEnd)
        #expect(result.parts.count == 2)
        guard result.parts.count == 2 else { return }
        #expect(result.parts[0].headers["CONTENT-TYPE"] == "application/dicom")
        #expect(result.parts[0].headers["content-location"] == "a")
        #expect(result.parts[0].body == [UInt8]("first\r\n-part\r\n"))
        #expect(result.parts[1].headers.contentType == .dicomJSON)
        #expect(result.parts[1].body == [UInt8]("{\"x\":1}"))
    }

    @Test func twoPartsInOneChunk() throws {
        Self.checkTwoParts(try split(Self.twoParts, boundary: "XyZ"))
    }

    @Test func everySplitPositionGivesTheSameParts() throws {
        let whole = try split(Self.twoParts, boundary: "XyZ")
        for offset in 1..<Self.twoParts.count {
            let result = try split(Self.twoParts, boundary: "XyZ", chunkSizes: [offset, Self.twoParts.count])
            #expect(result == whole, "split at \(offset)")
        }
        #expect(try split(Self.twoParts, boundary: "XyZ", chunkSizes: [1]) == whole)
        #expect(try split(Self.twoParts, boundary: "XyZ", chunkSizes: [1], maxBodyChunk: 1).parts == whole.parts)
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let body = [UInt8]("This is a preamble.\r\n--b\r\n\r\nx\r\n--b--\r\nepilogue --b\r\n\r\ny\r\n--b--")
        for sizes in [[Int.max], [1], [3, 5]] {
            let result = try split(body, boundary: "b", chunkSizes: sizes)
            #expect(result.error == nil)
            #expect(result.sawEnd)
            #expect(result.parts.map(\.body) == [[UInt8]("x")])
        }
    }

    @Test func transportPaddingAndBareLineFeeds() throws {
        let body = [UInt8]("--b \t\r\nContent-Type: text/plain\n\nhello\r\n--b\t\nA: 1\n  continued\n\n\r\n--b--  \r\n")
        let result = try split(body, boundary: "b", chunkSizes: [2])
        #expect(result.error == nil)
        #expect(result.parts.map(\.body) == [[UInt8]("hello"), []])
        #expect(result.parts.last?.headers["a"] == "1 continued")
    }

    @Test func quotedBoundaryWithSpecialCharacters() throws {
        let contentType = #"multipart/related; type="application/dicom"; boundary="a'(+_,-./:=? )z""#
        let boundary = try MultipartBoundary.boundary(fromContentType: contentType)
        #expect(boundary == "a'(+_,-./:=? )z")
        #expect(MultipartBoundary.relatedType(fromContentType: contentType) == .dicom)
        let body = [UInt8]("--\(boundary)\r\n\r\nabc\r\n--\(boundary)--")
        let result = try split(body, boundary: boundary, chunkSizes: [4])
        #expect(result.parts.map(\.body) == [[UInt8]("abc")])
        #expect(result.sawEnd)
    }

    @Test func boundaryFromContentTypeValidation() throws {
        #expect(try MultipartBoundary.boundary(fromContentType: "multipart/related; boundary=abc") == "abc")
        #expect(throws: MultipartError.self) { try MultipartBoundary.boundary(fromContentType: "multipart/related") }
        #expect(throws: MultipartError.self) {
            try MultipartBoundary.boundary(fromContentType: "application/dicom; boundary=abc")
        }
        #expect(throws: MultipartError.self) {
            try MultipartBoundary.boundary(fromContentType: "multipart/related; boundary=\"\"")
        }
        let long = String(repeating: "a", count: 71)
        #expect(throws: MultipartError.self) {
            try MultipartBoundary.boundary(fromContentType: "multipart/related; boundary=\(long)")
        }
        #expect(throws: MultipartError.self) {
            try MultipartBoundary.boundary(fromContentType: "multipart/related; boundary=\"a b \"")
        }
        #expect(throws: MultipartError.self) {
            try MultipartBoundary.boundary(fromContentType: "multipart/related; boundary=\"a<b\"")
        }
        #expect(throws: MultipartError.self) { try MultipartSplitter(boundary: "") }
        #expect(throws: MultipartError.self) { try MultipartSplitter(boundary: "a\r\nb") }
    }

    @Test func missingClosingBoundaryAfterCompleteParts() throws {
        let body = [UInt8]("--b\r\n\r\none\r\n--b\r\nX: y\r\n\r\ntwo-and-more")
        for sizes in [[Int.max], [1], [5]] {
            let result = try split(body, boundary: "b", chunkSizes: sizes)
            #expect(result.error == .missingClosingBoundary)
            #expect(result.parts.map(\.body) == [[UInt8]("one")])
            #expect(result.unfinished?.body == [UInt8]("two-and-more"))
            #expect(!result.sawEnd)
        }
        // Ends with a partial delimiter: the partial delimiter is content of the broken part.
        let partial = try split([UInt8]("--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--"), boundary: "b")
        #expect(partial.error == .missingClosingBoundary)
        #expect(partial.unfinished?.body == [UInt8]("two\r\n--"))
    }

    @Test func truncatedHeaders() throws {
        let result = try split([UInt8]("--b\r\n\r\none\r\n--b\r\nContent-Type: appl"), boundary: "b", chunkSizes: [3])
        #expect(result.error == .truncatedHeaders)
        #expect(result.parts.count == 1)
        let malformed = try split([UInt8]("--b\r\nno colon here\r\n\r\nx\r\n--b--"), boundary: "b")
        #expect(malformed.error == .malformedHeader)
    }

    @Test func headerBlockIsLimited() throws {
        let header = "X: " + String(repeating: "v", count: 20_000)
        for sizes in [[Int.max], [1000]] {
            let result = try split([UInt8]("--b\r\n\(header)\r\n\r\nx\r\n--b--"), boundary: "b", chunkSizes: sizes)
            #expect(result.error == .headerTooLarge)
        }
    }

    @Test func noBoundaryAtAll() throws {
        #expect(try split([UInt8]("just some bytes\r\n--c\r\n"), boundary: "b").error == .missingBoundary)
        #expect(try split([], boundary: "b").error == .missingBoundary)
    }

    @Test func boundaryLookalikeInsideBodyStaysContent() throws {
        let content = "a\r\n--bb\r\n--b-x\r\n--b \t z\r\n--b\r"
        let body = [UInt8]("--b\r\n\r\n\(content)\r\n--b--")
        let whole = try split(body, boundary: "b")
        #expect(whole.error == nil)
        #expect(whole.parts.map(\.body) == [[UInt8](content)])
        for size in 1...8 { #expect(try split(body, boundary: "b", chunkSizes: [size]) == whole) }
    }

    @Test func emptyParts() throws {
        // No headers and no content; headers and no content; no headers and content.
        let body = [UInt8]("--b\r\n\r\n--b\r\nA: 1\r\n\r\n--b\r\n\r\n\r\n--b\r\n\r\nz\r\n--b--")
        let whole = try split(body, boundary: "b")
        #expect(whole.error == nil)
        #expect(whole.parts.map(\.body) == [[], [], [], [UInt8]("z")])
        #expect(whole.parts[1].headers["a"] == "1")
        for size in 1...4 { #expect(try split(body, boundary: "b", chunkSizes: [size]) == whole) }
        let noParts = try split([UInt8]("--b--\r\n"), boundary: "b")
        #expect(noParts.sawEnd && noParts.parts.isEmpty && noParts.error == nil)
    }

    @Test func largeBinaryPartHasBoundedChunks() throws {
        var generator = SplitMix64(seed: 42)
        var content = [UInt8](repeating: 0, count: 5 * 1024 * 1024)
        for index in content.indices { content[index] = UInt8(truncatingIfNeeded: generator.next()) }
        // Sprinkle near-delimiters through the content.
        let lookalike = [UInt8]("\r\n--boundary7")
        for offset in stride(from: 1000, to: content.count - 100, by: 100_003) {
            content.replaceSubrange(offset..<offset + lookalike.count, with: lookalike)
        }
        var writer = MultipartWriter(boundary: "boundary7")
        let body =
            writer.beginPart(contentType: .octetStream) + content
            + writer.beginPart(contentType: .dicom) + [1, 2, 3] + writer.finish()
        for sizes in [[7], [64 * 1024], [65_537, 3]] {
            let result = try split(body, boundary: "boundary7", chunkSizes: sizes, maxBodyChunk: 32 * 1024)
            #expect(result.error == nil)
            #expect(result.sawEnd)
            #expect(result.parts.count == 2)
            #expect(result.parts.first?.body == content)
            #expect(result.parts.last?.body == [1, 2, 3])
            #expect(result.largestBodyEvent <= 32 * 1024)
            #expect(result.largestBuffered < 64, "only a partial delimiter or header line is ever held")
        }
    }

    @Test func writerRoundTrip() throws {
        var writer = MultipartWriter(boundary: MultipartBoundary.random())
        #expect(writer.boundary.utf8.count == 32)
        #expect(MultipartBoundary.isValid(writer.boundary))
        let contentType = writer.contentType(
            type: .dicom, parameters: [.init(name: "transfer-syntax", value: "1.2.840.10008.1.2.1")])
        #expect(try MultipartBoundary.boundary(fromContentType: contentType.description) == writer.boundary)
        #expect(MultipartBoundary.relatedType(fromContentType: contentType.description) == .dicom)
        let body =
            writer.beginPart(contentType: .dicom, contentLocation: "/studies/1\r\nInjected: x") + [9, 9]
            + writer.finish()
        let result = try split(body, boundary: writer.boundary)
        #expect(result.parts.count == 1)
        #expect(result.parts.first?.headers["content-location"] == "/studies/1  Injected: x")
        #expect(result.parts.first?.body == [9, 9])
        #expect(MultipartWriter(boundary: "b").finish() == [UInt8]("--b--\r\n"))
    }

    @Test func errorsAreStickyAndCarryOffsets() throws {
        var splitter = try MultipartSplitter(boundary: "b")
        splitter.append([UInt8]("xx\r\n--b\r\nbad\r\n"))
        #expect(throws: MultipartError.self) { while try splitter.next() != nil {} }
        do {
            _ = try splitter.next()
            Issue.record("expected the error again")
        } catch {
            #expect(error.code == .malformedHeader)
            #expect(error.byteOffset == 9)
        }
    }

    @Test func fuzzEntryPointSurvivesOddInputs() {
        MultipartFuzz.run([])
        MultipartFuzz.run([UInt8]("b\n--b\r\n\r\nx\r\n--b--"))
        MultipartFuzz.run([UInt8]("\n--\r\n\r\n"))
        var generator = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let bytes = (0..<200).map { _ in [UInt8]("b\r\n-xA:")[Int(generator.next() % 7)] }
            MultipartFuzz.run([UInt8]("b\n") + bytes)
        }
    }
}

@Suite struct MultipartSliceIndexTests {
    /// Chunks that are slices of a larger array (start index ≠ 0), as HTTP bodies and the fuzzer hand over.
    /// Regression: a delimiter found by the window scan returned its end as a buffer-relative offset, so
    /// the next read started before the slice (found by `make fuzz`).
    @Test func slicesWithNonZeroStartIndex() throws {
        let body = Array("junk\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello world, a longer body\r\n--b--\r\n".utf8)
        let padded = [UInt8](repeating: 0x41, count: 1000) + body
        for chunk in [1, 3, 7, 16, 64, body.count] {
            var splitter = try MultipartSplitter(boundary: "b")
            var content: [UInt8] = []
            var parts = 0
            var start = 1000
            while start < padded.count {
                splitter.append(padded[start..<min(start + chunk, padded.count)])
                start += chunk
                while let event = try splitter.next() {
                    if case .body(let bytes) = event { content += bytes }
                    if case .partStart = event { parts += 1 }
                }
            }
            splitter.finish()
            while let event = try splitter.next() {
                if case .body(let bytes) = event { content += bytes }
            }
            #expect(parts == 1, "chunk \(chunk)")
            #expect(String(decoding: content, as: UTF8.self) == "hello world, a longer body", "chunk \(chunk)")
        }
    }

    @Test func fuzzCrashReplays() {
        // The input `make fuzz` found (boundary line, then a body fed in data-driven chunks).
        let data: [UInt8] = [
            0x62, 0x30, 0x75, 0x6E, 0x64, 0x69, 0x32, 0x79, 0x0A, 0x0D, 0x0A, 0x2D, 0x2D, 0x78, 0x0D, 0x0A, 0x0D, 0x0A,
            0x0D, 0x0A, 0x2D, 0x70, 0x00, 0x0D, 0x0A, 0x2D, 0x2D, 0x62, 0x30, 0x75, 0x6E, 0x64, 0x69, 0x32, 0x79, 0x0A,
            0x0D, 0x0A, 0x2D, 0x2D, 0x78, 0x0D, 0x00, 0x0A, 0x0D, 0x0A, 0x0D, 0x0A, 0x2D, 0x70, 0x00, 0x0D, 0x00, 0x2E,
            0x62, 0x30, 0x75, 0x6E, 0x64, 0x69, 0x0A, 0x0D, 0x0A, 0x0D, 0x0A, 0x2D, 0x70, 0x00, 0x0D, 0x00, 0x2E,
        ]
        MultipartFuzz.run(data)
    }
}
