/// A push parser for DICOM streams: Part 10 files (PS3.10 §7) and bare data sets (PS3.5 §7).
///
/// Feed it bytes in chunks of any size with ``append(_:)``, call ``finish()`` after the last one, and
/// pull ``ParseEvent``s with ``next()`` until it returns `nil` (more input needed) or ``ParseEvent/end``.
/// It handles the preamble and file meta, explicit and implicit VR, little and big endian, deflate,
/// defined and undefined lengths, encapsulated pixel data and UN sequences. The results do not depend on
/// how the input is chunked, and memory stays bounded by ``ParserOptions/materializeLimit`` whatever the
/// lengths claim. Errors name the byte offset and tag path.
///
/// A parser holds zlib state when inflating, so a copy must not be used alongside its original.
public struct StreamParser {
    /// The options in force.
    public let options: ParserOptions
    /// Conditions that were tolerated (missing preamble or file meta, a guessed transfer syntax, …).
    public private(set) var warnings: [ParseWarning] = []
    /// The transfer syntax of the data set, once known.
    public private(set) var transferSyntax: TransferSyntax?
    /// Whether the stream had the 128-byte preamble and `DICM` prefix.
    public private(set) var hasPreamble = false

    private var input = InputBuffer()
    private var inflater: Inflater?
    private var inputFinished = false
    private var state = State.start
    private var frames: [Frame] = []
    private var queued: [ParseEvent] = []
    private var checkFirstElement = false

    private enum State {
        case start
        case afterPrefix
        case fileMeta
        case body
        case value(header: ElementHeader, length: Int, swap: Int, isFragment: FragmentHeader?)
        case chunks(remaining: UInt64, swap: Int)
        /// A value being skipped (``ParserOptions/skipBinaryValuesLongerThan``): waits until its bytes are
        /// dropped, then reports its end.
        case skipping
        case ended
    }

    private enum FrameKind { case item, sequence, encapsulated }

    private struct Frame {
        var kind: FrameKind
        var end: UInt64?
        var explicitVR: Bool
        var bigEndian: Bool
        var tag: Tag
        var items = 0
        var creators: [UInt32: String] = [:]
        var pixelRepresentation: UInt16?
    }

    /// Creates a parser.
    public init(options: ParserOptions = ParserOptions()) {
        self.options = options
    }

    /// Adds the next bytes of the stream.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if let inflater { inflater.feed(bytes) } else { input.append(bytes) }
    }

    /// Declares that no more bytes will come.
    public mutating func finish() { inputFinished = true }

    /// The next event, or `nil` when more input is needed (or after ``ParseEvent/end``).
    public mutating func next() throws(DICOMParseError) -> ParseEvent? {
        while true {
            if !queued.isEmpty { return queued.removeFirst() }
            switch state {
            case .ended:
                return nil
            case .start:
                guard try detectHeader() else { return nil }
            case .afterPrefix:
                guard try detectFileMeta() else { return nil }
            case .fileMeta:
                if let event = try readFileMetaElement() { return event }
                if case .fileMeta = state { return nil }
            case .body:
                return try readBody()
            case .value(let header, let length, let swap, let fragment):
                guard try need(length) else { return nil }
                var bytes = input.take(length)
                if swap > 1 { bytes = ByteOrder.swapped(bytes, wordSize: swap) }
                state = .body
                if let fragment { return .fragment(fragment, bytes) }
                noteValue(header, bytes)
                return .element(header, bytes)
            case .skipping:
                if input.pendingDiscard > 0 {
                    if inputFinished {
                        throw error(
                            .truncated, "the stream ends \(input.pendingDiscard) bytes before the end of the value")
                    }
                    return nil
                }
                state = .body
                return .valueEnd
            case .chunks(let remaining, let swap):
                if remaining == 0 {
                    state = .body
                    return .valueEnd
                }
                if input.available == 0 { try fill() }
                var n = Int(min(UInt64(min(input.available, options.materializeLimit)), remaining))
                if swap > 1 && UInt64(n) < remaining { n -= n % swap }
                if n == 0 {
                    if inputFinished && input.available < max(swap, 1) {
                        throw error(.truncated, "the stream ends \(remaining) bytes before the end of the value")
                    }
                    return nil
                }
                var bytes = input.take(n)
                if swap > 1 { bytes = ByteOrder.swapped(bytes, wordSize: swap) }
                state = .chunks(remaining: remaining - UInt64(n), swap: swap)
                return .valueChunk(bytes)
            }
        }
    }

    // MARK: - Input

    /// Pulls more inflated bytes into the window, if deflating.
    private mutating func fill() throws(DICOMParseError) {
        guard let inflater else { return }
        let offset = input.position
        _ = try input.withAppendableStorage { (bytes: inout [UInt8]) throws(DICOMParseError) -> Int in
            try inflater.inflate(into: &bytes, maxOutput: 256 * 1024, offset: offset)
        }
    }

    /// Whether `n` bytes are available; throws `truncated` when they never will be.
    private mutating func need(_ n: Int) throws(DICOMParseError) -> Bool {
        while input.available < n {
            let before = input.available
            try fill()
            if input.available == before { break }
        }
        if input.available >= n { return true }
        if inputFinished && !(inflater?.hasPendingInput ?? false) {
            throw error(.truncated, "needed \(n) bytes, the stream has \(input.available) left")
        }
        return false
    }

    /// Whether the stream is exhausted (no bytes left now or later).
    private mutating func atEndOfStream() throws(DICOMParseError) -> Bool {
        if input.available > 0 { return false }
        try fill()
        return input.available == 0 && inputFinished && !(inflater?.hasPendingInput ?? false)
    }

    // MARK: - Header and file meta (PS3.10 §7.1)

    private mutating func detectHeader() throws(DICOMParseError) -> Bool {
        if input.available < 132 && !inputFinished { return false }
        let n = input.available
        let dicm: [UInt8] = [0x44, 0x49, 0x43, 0x4D]
        if options.expectPart10Header != false, n >= 132, Array(input.slice(128..<132)) == dicm {
            input.skip(132)
            hasPreamble = true
        } else if options.expectPart10Header != false, n >= 4, Array(input.slice(0..<4)) == dicm {
            input.skip(4)
            warn("no 128-byte preamble before DICM")
        } else if options.expectPart10Header == true {
            throw error(.notDICOM, "no DICM prefix at byte 128")
        } else if options.expectPart10Header == nil {
            if n < 8 { throw error(.notDICOM, "too short to be DICOM (\(n) bytes)") }
            if input.u16(0, bigEndian: false) != 0x0002 { warn("no preamble and no file meta information") }
        }
        state = .afterPrefix
        return true
    }

    /// Decides whether file meta information follows the prefix (PS3.10 §7.1).
    private mutating func detectFileMeta() throws(DICOMParseError) -> Bool {
        if input.available < 6 && !inputFinished { return false }
        if input.available >= 6, input.u16(0, bigEndian: false) == 0x0002 {
            state = .fileMeta
        } else {
            if hasPreamble { warn("DICM prefix without file meta information") }
            try startDataSet(declared: nil)
        }
        return true
    }

    private mutating func readFileMetaElement() throws(DICOMParseError) -> ParseEvent? {
        if try atEndOfStream() {
            try startDataSet(declared: metaTransferSyntax)
            return nil
        }
        guard try need(6) else { return nil }
        guard input.u16(0, bigEndian: false) == 0x0002 else {
            try startDataSet(declared: metaTransferSyntax)
            return nil
        }
        let explicit = VR(byte0: input.byte(4), byte1: input.byte(5)) != nil
        guard let (header, headerLength) = try readElementHeader(explicitVR: explicit, bigEndian: false) else {
            return nil
        }
        if !explicit { warnOnce("file meta information written in implicit VR") }
        guard let length = header.length.defined, length <= UInt32(options.materializeLimit) else {
            throw error(.badLength, "file meta element \(header.tag) has length \(header.length)")
        }
        guard try need(headerLength + Int(length)) else { return nil }
        input.skip(headerLength)
        let bytes = input.take(Int(length))
        if header.tag == .transferSyntaxUID {
            metaTransferSyntax = TransferSyntax(uid: Self.trimmedText(bytes))
        }
        return .element(header, bytes)
    }

    private var metaTransferSyntax: TransferSyntax?

    /// Starts the data set, deciding its transfer syntax from the file meta, the options or a guess.
    private mutating func startDataSet(declared: TransferSyntax?) throws(DICOMParseError) {
        var syntax = declared ?? options.defaultTransferSyntax
        if syntax == nil {
            if case .fileMeta = state { warn("the file meta information has no Transfer Syntax UID") }
            syntax = try guessTransferSyntax()
        }
        let ts = syntax!
        transferSyntax = ts
        frames = [Frame(kind: .item, end: nil, explicitVR: ts.isExplicitVR, bigEndian: ts.isBigEndian, tag: Tag(0))]
        checkFirstElement = true
        if ts.isDeflated {
            let inflater = try Inflater()
            inflater.feed(input.takeAllForInflater())
            self.inflater = inflater
        }
        state = .body
        queued.append(.dataSetStart(ts))
    }

    private mutating func guessTransferSyntax() throws(DICOMParseError) -> TransferSyntax {
        guard input.available >= 6 else { return .implicitVRLittleEndian }
        guard VR(byte0: input.byte(4), byte1: input.byte(5)) != nil else {
            warn("no transfer syntax declared; reading as implicit VR little endian")
            return .implicitVRLittleEndian
        }
        if input.u16(0, bigEndian: false) <= input.u16(0, bigEndian: true) {
            warn("no transfer syntax declared; reading as explicit VR little endian")
            return .explicitVRLittleEndian
        }
        warn("no transfer syntax declared; reading as explicit VR big endian")
        return .explicitVRBigEndian
    }

    // MARK: - Data set body (PS3.5 §7)

    private mutating func readBody() throws(DICOMParseError) -> ParseEvent? {
        // Close containers whose defined length is used up.
        if let end = frames[frames.count - 1].end, frames.count > 1 {
            let here = input.position
            if here == end { return closeFrame() }
            if here > end { throw error(.badLength, "content overruns its container, which ends at byte \(end)") }
        }
        if try atEndOfStream() {
            if frames.count == 1 {
                state = .ended
                return .end
            }
            throw error(.truncated, "the stream ends inside \(frames.count - 1) open sequence(s) or item(s)")
        }
        var frame = frames[frames.count - 1]
        guard try need(8) else { return nil }
        let group = input.u16(0, bigEndian: frame.bigEndian)
        if group == 0xFFFE { return try readDelimiterOrItem(frame: frame) }
        if checkFirstElement && frames.count == 1 {
            checkFirstElement = false
            let looksExplicit = VR(byte0: input.byte(4), byte1: input.byte(5)) != nil
            if frame.explicitVR && !looksExplicit {
                warn("expected explicit VR but found implicit VR; reading as implicit VR")
                frame.explicitVR = false
                frames[0].explicitVR = false
            } else if !frame.explicitVR && looksExplicit && input.u16(4, bigEndian: false) > 0x4040 {
                warn("expected implicit VR but found explicit VR; reading as explicit VR")
                frame.explicitVR = true
                frames[0].explicitVR = true
            }
        }
        guard frame.kind == .item else {
            throw error(.unexpectedTag, "data element \(Tag(UInt32(group) << 16)) where an item was expected")
        }
        guard
            let (parsed, headerLength) = try readElementHeader(explicitVR: frame.explicitVR, bigEndian: frame.bigEndian)
        else { return nil }
        var header = parsed
        if let end = frame.end, let length = header.length.defined, header.valueOffset + UInt64(length) > end {
            throw error(
                .badLength, "\(header.tag) has length \(length), beyond the end of its item at byte \(end)",
                tag: header.tag)
        }
        input.skip(headerLength)

        var contentExplicit = frame.explicitVR
        var contentBigEndian = frame.bigEndian
        var isSequence = header.vr == .SQ
        if header.vr == .UN {
            let known = options.resolveUNFromDictionary ? resolvedVR(header.tag, frame) : nil
            if header.length == .undefined || known == .SQ {
                isSequence = true
                contentExplicit = false
                contentBigEndian = false
                header.vr = .SQ
            } else if let known, known != .UN {
                header.vr = known
            }
        } else if !frame.explicitVR && header.length == .undefined && header.tag != .pixelData {
            isSequence = true
            header.vr = .SQ
        }

        if isSequence {
            let depth = frames.reduce(0) { $0 + ($1.kind == .sequence ? 1 : 0) }
            if depth >= options.maxNestingDepth {
                throw error(.nestingTooDeep, "more than \(options.maxNestingDepth) nested sequences", tag: header.tag)
            }
            let end = header.length.defined.map { header.valueOffset + UInt64($0) }
            frames.append(
                Frame(
                    kind: .sequence, end: end, explicitVR: contentExplicit, bigEndian: contentBigEndian, tag: header.tag
                ))
            return .sequenceStart(header)
        }
        guard let length = header.length.defined else {
            if header.tag == .pixelData || header.vr == .OB || header.vr == .OW {
                frames.append(
                    Frame(kind: .encapsulated, end: nil, explicitVR: true, bigEndian: frame.bigEndian, tag: header.tag))
                // Encapsulated pixel data is OB (PS3.5 §A.4): an implicit VR stream has no VR of its own, and the
                // dictionary's "OB or OW" must not make it OW. An explicit VR is reported as written.
                var encapsulated = header
                if !frame.explicitVR { encapsulated.vr = .OB }
                return .encapsulatedStart(encapsulated)
            }
            throw error(.badLength, "undefined length on a \(header.vr) element", tag: header.tag)
        }
        if length % 2 == 1 { warnOnce("odd value length") }
        let swap = frame.bigEndian ? ByteOrder.swapWordSize(for: header.vr) : 1
        if skips(length, binary: header.vr.isBulkBinary) {
            input.skipAhead(UInt64(length))
            state = .skipping
            return .elementStart(header)
        }
        if Int(length) <= options.materializeLimit {
            state = .value(header: header, length: Int(length), swap: swap, isFragment: nil)
            return try next()
        }
        state = .chunks(remaining: UInt64(length), swap: swap)
        return .elementStart(header)
    }

    /// Items, item and sequence delimiters (PS3.5 §7.5).
    private mutating func readDelimiterOrItem(frame: Frame) throws(DICOMParseError) -> ParseEvent? {
        let tag = Tag(input.u32Tag(bigEndian: frame.bigEndian))
        let raw = input.u32(4, bigEndian: frame.bigEndian)
        let offset = input.position
        let length = ValueLength(raw: raw)
        switch (tag, frame.kind) {
        case (.item, .sequence):
            input.skip(8)
            if let end = frame.end, let n = length.defined, offset + 8 + UInt64(n) > end {
                throw error(.badLength, "item of length \(n) overruns its sequence, which ends at byte \(end)")
            }
            frames[frames.count - 1].items += 1
            frames.append(
                Frame(
                    kind: .item, end: length.defined.map { offset + 8 + UInt64($0) }, explicitVR: frame.explicitVR,
                    bigEndian: frame.bigEndian, tag: tag))
            return .itemStart(offset: offset, length: length)
        case (.item, .encapsulated):
            guard let n = length.defined else {
                throw error(.badLength, "encapsulated pixel data item with undefined length")
            }
            input.skip(8)
            let index = frames[frames.count - 1].items
            frames[frames.count - 1].items += 1
            let header = FragmentHeader(index: index, length: n, offset: offset, valueOffset: offset + 8)
            if index > 0, skips(n, binary: true) {
                input.skipAhead(UInt64(n))
                state = .skipping
                return .fragmentStart(header)
            }
            if Int(n) <= options.materializeLimit {
                state = .value(
                    header: ElementHeader(tag: tag, vr: .OB, length: length, offset: offset, valueOffset: offset + 8),
                    length: Int(n), swap: 1, isFragment: header)
                return try next()
            }
            state = .chunks(remaining: UInt64(n), swap: 1)
            return .fragmentStart(header)
        case (.sequenceDelimitation, .sequence) where frame.end == nil,
            (.sequenceDelimitation, .encapsulated):
            input.skip(8)
            return closeFrame()
        case (.itemDelimitation, .item) where frames.count > 1:
            input.skip(8)
            if frame.end != nil {
                warnOnce("item delimitation item inside an item of defined length")
                return try next()
            }
            return closeFrame()
        case (.sequenceDelimitation, .item) where frames.count == 1:
            // A stray sequence delimiter at the top level (seen after pixel data in some files).
            input.skip(8)
            warnOnce("stray sequence delimitation item in the data set")
            return try next()
        default:
            throw error(.unexpectedTag, "\(tag) is not allowed here")
        }
    }

    /// Whether a value of `length` bytes is skipped rather than delivered (never with deflated input, whose
    /// bytes pass through the inflater).
    private func skips(_ length: UInt32, binary: Bool) -> Bool {
        guard binary, inflater == nil, let limit = options.skipBinaryValuesLongerThan else { return false }
        return Int(length) > limit
    }

    private mutating func closeFrame() -> ParseEvent {
        let frame = frames.removeLast()
        switch frame.kind {
        case .item: return .itemEnd
        case .sequence: return .sequenceEnd
        case .encapsulated: return .encapsulatedEnd
        }
    }

    /// Reads an element header at the window start without consuming it; `nil` if more input is needed.
    private mutating func readElementHeader(
        explicitVR: Bool, bigEndian: Bool
    ) throws(DICOMParseError) -> (
        ElementHeader, Int
    )? {
        guard try need(8) else { return nil }
        let tag = Tag(input.u32Tag(bigEndian: bigEndian))
        let offset = input.position
        if explicitVR {
            guard let vr = VR(byte0: input.byte(4), byte1: input.byte(5)) else {
                throw error(
                    .notDICOM,
                    "invalid VR bytes \(String(input.byte(4), radix: 16)) \(String(input.byte(5), radix: 16))",
                    tag: tag)
            }
            if vr.hasLongExplicitLength {
                guard try need(12) else { return nil }
                let length = ValueLength(raw: input.u32(8, bigEndian: bigEndian))
                return (ElementHeader(tag: tag, vr: vr, length: length, offset: offset, valueOffset: offset + 12), 12)
            }
            let length = ValueLength.defined(UInt32(input.u16(6, bigEndian: bigEndian)))
            return (ElementHeader(tag: tag, vr: vr, length: length, offset: offset, valueOffset: offset + 8), 8)
        }
        let length = ValueLength(raw: input.u32(4, bigEndian: bigEndian))
        let vr = frames.isEmpty ? (DataDictionary.vr(for: tag) ?? .UN) : resolvedVR(tag, frames[frames.count - 1])
        return (ElementHeader(tag: tag, vr: vr, length: length, offset: offset, valueOffset: offset + 8), 8)
    }

    /// The VR of `tag` when the stream does not say (implicit VR, or UN), from the dictionaries.
    private func resolvedVR(_ tag: Tag, _ frame: Frame) -> VR {
        if tag.isGroupLength { return .UL }
        if tag.isPrivateCreator { return .LO }
        if tag.isPrivate {
            guard let creator = frame.creators[UInt32(tag.group) << 8 | UInt32(tag.element >> 8)],
                let entry = PrivateDictionary.entry(
                    creator: creator, group: tag.group, elementOffset: UInt8(truncatingIfNeeded: tag.element))
            else { return .UN }
            return Self.pick(entry.vrs, tag: tag, pixelRepresentation: frame.pixelRepresentation)
        }
        return Self.pick(DataDictionary.vrs(for: tag), tag: tag, pixelRepresentation: frame.pixelRepresentation)
    }

    /// Chooses among a dictionary entry's VRs (PS3.5 Annex A rules for ambiguous VRs).
    static func pick(_ vrs: [VR], tag: Tag, pixelRepresentation: UInt16?) -> VR {
        guard let first = vrs.first else { return .UN }
        if vrs.count == 1 { return first }
        if vrs.contains(.SS) && vrs.contains(.US) && !vrs.contains(.OW) {
            return pixelRepresentation == 1 ? .SS : .US
        }
        if vrs.contains(.OW) { return .OW }
        return first
    }

    /// Records what later VR resolution depends on: private creators and Pixel Representation.
    private mutating func noteValue(_ header: ElementHeader, _ bytes: [UInt8]) {
        let tag = header.tag
        if tag.isPrivateCreator {
            frames[frames.count - 1].creators[UInt32(tag.group) << 8 | UInt32(tag.element)] = Self.trimmedText(bytes)
        } else if tag == Tag.pixelRepresentation, bytes.count >= 2 {
            frames[frames.count - 1].pixelRepresentation = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        }
    }

    static func trimmedText(_ bytes: [UInt8]) -> String {
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0) { end -= 1 }
        var start = 0
        while start < end && bytes[start] == 0x20 { start += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    // MARK: - Diagnostics

    private var path: String {
        var parts: [String] = []
        for frame in frames where frame.kind != .item {
            parts.append("\(frame.tag)" + (frame.kind == .sequence ? "[\(max(frame.items - 1, 0))]" : ""))
        }
        return parts.joined(separator: ">")
    }

    private func error(_ code: DICOMParseError.Code, _ message: String, tag: Tag? = nil) -> DICOMParseError {
        var where_ = path
        if let tag { where_ += (where_.isEmpty ? "" : ">") + "\(tag)" }
        return DICOMParseError(code: code, offset: input.position, path: where_, message: message)
    }

    private mutating func warn(_ message: String) {
        warnings.append(ParseWarning(offset: input.position, message: message))
    }

    private mutating func warnOnce(_ message: String) {
        if !warnings.contains(where: { $0.message == message }) { warn(message) }
    }
}

extension InputBuffer {
    /// The tag at the window start: group then element, each in the stream's byte order.
    @inline(__always) func u32Tag(bigEndian: Bool) -> UInt32 {
        UInt32(u16(0, bigEndian: bigEndian)) << 16 | UInt32(u16(2, bigEndian: bigEndian))
    }
}
