@testable import DICOMweb

/// One part as collected from splitter events.
struct CollectedPart: Equatable {
    var headers: MultipartHeaders
    var body: [UInt8]
}

/// The result of splitting a whole body.
struct SplitResult: Equatable {
    var parts: [CollectedPart] = []
    /// The content of a part that was started but not ended (body truncated).
    var unfinished: CollectedPart?
    var sawEnd = false
    var error: MultipartError.Code?
    var largestBodyEvent = 0
    var largestBuffered = 0

    /// Equal when the same parts and outcome came out, however the content was sliced.
    static func == (lhs: SplitResult, rhs: SplitResult) -> Bool {
        lhs.parts == rhs.parts && lhs.unfinished == rhs.unfinished && lhs.sawEnd == rhs.sawEnd
            && lhs.error == rhs.error
    }
}

/// Splits `body` fed in the given chunk sizes (cycled), checking event order as it goes.
func split(
    _ body: [UInt8], boundary: String, chunkSizes: [Int] = [Int.max], maxBodyChunk: Int = 64 * 1024
) throws -> SplitResult {
    var splitter = try MultipartSplitter(boundary: boundary, maxBodyChunk: maxBodyChunk)
    var result = SplitResult()
    var current: CollectedPart?
    func drain() throws(MultipartError) {
        while let event = try splitter.next() {
            switch event {
            case .partStart(let headers):
                precondition(current == nil && !result.sawEnd)
                current = CollectedPart(headers: headers, body: [])
            case .body(let bytes):
                precondition(current != nil && !bytes.isEmpty)
                current!.body += bytes
                result.largestBodyEvent = max(result.largestBodyEvent, bytes.count)
            case .partEnd:
                result.parts.append(current!)
                current = nil
            case .end:
                precondition(current == nil)
                result.sawEnd = true
            }
        }
    }
    do {
        var index = 0
        var turn = 0
        while index < body.count {
            let size = chunkSizes[turn % chunkSizes.count]
            turn += 1
            let end = size >= body.count - index ? body.count : index + size
            splitter.append(Array(body[index..<end]))
            index = end
            try drain()
            result.largestBuffered = max(result.largestBuffered, splitter.bufferedByteCount)
        }
        splitter.finish()
        try drain()
    } catch {
        result.error = error.code
    }
    result.unfinished = current
    return result
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}
