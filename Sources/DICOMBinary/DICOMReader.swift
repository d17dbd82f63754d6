#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads whole Part 10 files or data sets into ``DICOMFile`` values, driving ``StreamParser``.
public enum DICOMReader {
    /// Parses `bytes`, fed to the parser in chunks of `chunkSize`.
    public static func read(
        _ bytes: [UInt8], options: ParserOptions = ParserOptions(), policy: ReadPolicy = .everything,
        chunkSize: Int = 1 << 16
    ) throws(DICOMParseError) -> DICOMFile {
        var parser = StreamParser(options: options)
        var builder = DataSetBuilder(policy: policy)
        var start = 0
        let step = max(chunkSize, 1)
        while !builder.isComplete {
            try drain(&parser, &builder)
            if builder.isComplete { break }
            if start >= bytes.count {
                parser.finish()
                try drain(&parser, &builder)
                break
            }
            let end = min(start + step, bytes.count)
            parser.append(bytes[start..<end])
            start = end
        }
        return try file(parser, builder)
    }

    /// Parses the file at `path`, reading it in chunks (stops reading early when the policy allows).
    public static func read(
        contentsOf path: String, options: ParserOptions = ParserOptions(), policy: ReadPolicy = .everything,
        chunkSize: Int = 1 << 16
    ) throws -> DICOMFile {
        var builder = DataSetBuilder(policy: policy)
        let parser = try drive(path: path, options: options, chunkSize: chunkSize) { event in
            builder.consume(event)
            return !builder.isComplete
        }
        return try file(parser, builder)
    }

    /// Streams the events of the file at `path` to `body`, reading it in chunks; returns the parser's
    /// warnings. Memory stays bounded by the parser options whatever the file size. With
    /// `stopAtPixelData`, reading stops at the top-level Pixel Data element (whose events are not
    /// delivered) and ``ParseEvent/end`` follows at once, so a header read costs the same whatever the
    /// size of the pixel data.
    @discardableResult
    public static func events(
        contentsOf path: String, options: ParserOptions = ParserOptions(), chunkSize: Int = 1 << 16,
        stopAtPixelData: Bool = false, _ body: (ParseEvent) throws -> Void
    ) throws -> [ParseWarning] {
        var depth = 0
        let parser = try drive(path: path, options: options, chunkSize: chunkSize) { event in
            if stopAtPixelData && depth == 0 && event.startedElement?.tag == .pixelData {
                try body(.end)
                return false
            }
            switch event {
            case .sequenceStart, .encapsulatedStart: depth += 1
            case .sequenceEnd, .encapsulatedEnd: depth -= 1
            default: break
            }
            try body(event)
            return true
        }
        return parser.warnings
    }

    /// Feeds a parser from the file at `path` and hands each event to `body` until `body` returns `false`
    /// or the stream ends with ``ParseEvent/end``; returns the parser (for its warnings). Throws
    /// `truncated` when the file ends before the data set does.
    private static func drive(
        path: String, options: ParserOptions, chunkSize: Int, _ body: (ParseEvent) throws -> Bool
    ) throws -> StreamParser {
        guard let handle = fopen(path, "rb") else { throw FileError(path: path, code: errno) }
        defer { fclose(handle) }
        var parser = StreamParser(options: options)
        var chunk = [UInt8](repeating: 0, count: max(chunkSize, 1))
        var finished = false
        while true {
            while let event = try parser.next() {
                guard try body(event) else { return parser }
                if case .end = event { return parser }
            }
            if finished {
                throw DICOMParseError(code: .truncated, offset: 0, path: "", message: "the stream ended early")
            }
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if n == 0 {
                if ferror(handle) != 0 { throw FileError(path: path, code: errno) }
                finished = true
                parser.finish()
            } else {
                parser.append(chunk[0..<n])
            }
        }
    }

    private static func drain(_ parser: inout StreamParser, _ builder: inout DataSetBuilder) throws(DICOMParseError) {
        while !builder.isComplete, let event = try parser.next() { builder.consume(event) }
    }

    private static func file(_ parser: StreamParser, _ builder: DataSetBuilder) throws(DICOMParseError) -> DICOMFile {
        guard builder.isComplete, let ts = builder.transferSyntax ?? parser.transferSyntax else {
            throw DICOMParseError(code: .truncated, offset: 0, path: "", message: "the stream ended early")
        }
        return DICOMFile(
            fileMeta: builder.fileMeta, dataSet: builder.dataSet, transferSyntax: ts, hasPreamble: parser.hasPreamble,
            warnings: parser.warnings)
    }
}

/// A file could not be opened, read or written.
public struct FileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The `errno` value.
    public var code: Int32

    /// Creates an error.
    public init(path: String, code: Int32) {
        self.path = path
        self.code = code
    }

    public var description: String { "\(path): \(String(cString: strerror(code)))" }
}
