/// Streams the DICOM JSON Model (PS3.18 Annex F) from parser events.
///
/// Feed it the events of a ``StreamParser`` (or of ``EventReplay`` for an in-memory data set) and drain
/// ``takeOutput()`` as it goes: no copy of the data set is kept, binary values are base64-encoded chunk by
/// chunk, and only the open sequences are remembered. The output is one JSON object.
///
/// Values follow PS3.18 §F.2: PN as component-group objects, IS/DS/FL/FD/SL/SS/SV/UL/US/UV as JSON
/// numbers, AT as `GGGGEEEE` strings, binary VRs as `InlineBinary` or `BulkDataURI` as the
/// ``BinaryPolicy`` decides, empty values as `null`, zero-length attributes without `Value`; an IS or DS value
/// that is not a number (IS `1A`) as `null` too, with a warning.
/// Text that cannot be decoded in its character set is reported in ``warnings`` and written as decoded
/// with ISO 8859-1, so no byte is lost.
public struct DICOMJSONEncoder: Sendable {
    /// The binary policy.
    public let binaryPolicy: BinaryPolicy
    /// Whether file meta elements (group 0002) are written.
    public let includeFileMeta: Bool
    /// Values that failed to decode in their declared character set.
    public private(set) var warnings: [String] = []

    private var out: [UInt8] = []
    private var started = false
    private var inMeta = true
    private var levels: [Level] = []
    private var chunk: Chunk?
    private var inEncapsulated = false
    private var skippingDuplicate = false
    private var skipNesting = 0

    private struct Level: Sendable {
        var isSequence: Bool
        var hasContent = false
        var lastTag: Tag?
        var characterSet: SpecificCharacterSet
    }

    private enum Chunk: Sendable {
        case base64(Base64StreamEncoder)
        case text(ElementHeader, [UInt8])
        case skip
    }

    /// Creates an encoder.
    public init(binaryPolicy: BinaryPolicy = .inline, includeFileMeta: Bool = false) {
        self.binaryPolicy = binaryPolicy
        self.includeFileMeta = includeFileMeta
    }

    /// The JSON produced so far; the buffer is emptied.
    public mutating func takeOutput() -> [UInt8] {
        defer { out.removeAll(keepingCapacity: true) }
        return out
    }

    /// Encodes an in-memory data set as one JSON object.
    public static func encode(_ dataSet: DataSet, binaryPolicy: BinaryPolicy = .inline) -> String {
        var encoder = DICOMJSONEncoder(binaryPolicy: binaryPolicy)
        EventReplay.replay(dataSet) { encoder.consume($0) }
        return String(decoding: encoder.takeOutput(), as: UTF8.self)
    }

    /// Takes one event.
    public mutating func consume(_ event: ParseEvent) {
        if !started {
            started = true
            out.append(0x7B)
            levels = [Level(isSequence: false, characterSet: .default)]
        }
        if case .dataSetStart = event {
            inMeta = false
            return
        }
        if inMeta && !includeFileMeta {
            if case .end = event {} else { return }
        }
        if skippingDuplicate {
            switch event {
            case .valueChunk: return
            case .valueEnd, .sequenceEnd, .encapsulatedEnd:
                skipNesting -= 1
                if skipNesting == 0 { skippingDuplicate = false }
                return
            case .sequenceStart, .encapsulatedStart, .elementStart, .fragmentStart:
                skipNesting += 1
                return
            default: return
            }
        }
        if let header = event.startedElement {
            if levels[levels.count - 1].lastTag == header.tag {
                warnings.append("\(header.tag): duplicate element left out")
                if event.opensValue {
                    skippingDuplicate = true
                    skipNesting = 1
                }
                return
            }
            levels[levels.count - 1].lastTag = header.tag
        }
        switch event {
        case .dataSetStart:
            break
        case .element(let header, let bytes):
            if header.tag == .specificCharacterSet {
                levels[levels.count - 1].characterSet = SpecificCharacterSet(encodedValue: bytes)
            }
            openAttribute(header)
            if header.vr.isBulkBinary {
                if let uri = binaryPolicy.bulkDataURI(header) {
                    writeURI(uri)
                } else if !bytes.isEmpty {
                    JSONText.append(",\"InlineBinary\":\"", to: &out)
                    var b64 = Base64StreamEncoder()
                    b64.encode(bytes, into: &out)
                    b64.finish(into: &out)
                    out.append(0x22)
                }
            } else {
                writeValues(header, bytes)
            }
            out.append(0x7D)
        case .elementStart(let header):
            openAttribute(header)
            if header.vr.isBulkBinary {
                if let uri = binaryPolicy.bulkDataURI(header) {
                    writeURI(uri)
                    chunk = .skip
                } else {
                    JSONText.append(",\"InlineBinary\":\"", to: &out)
                    chunk = .base64(Base64StreamEncoder())
                }
            } else {
                chunk = .text(header, [])
            }
        case .valueChunk(let bytes):
            switch chunk {
            case .base64(var encoder):
                encoder.encode(bytes, into: &out)
                chunk = .base64(encoder)
            case .text(let header, var text):
                chunk = nil  // keep the buffer uniquely referenced while it grows
                text.append(contentsOf: bytes)
                chunk = .text(header, text)
            case .skip, nil: break
            }
        case .valueEnd:
            if inEncapsulated { return }  // the end of a chunked fragment: the base64 stream goes on
            switch chunk {
            case .base64(var encoder):
                encoder.finish(into: &out)
                out.append(contentsOf: [0x22, 0x7D])
            case .text(let header, let text):
                writeValues(header, text)
                out.append(0x7D)
            case .skip: out.append(0x7D)
            case nil: break
            }
            chunk = nil
        case .bulkData(let header, let reference):
            openAttribute(header)
            if let uri = reference.uri ?? binaryPolicy.bulkDataURI(header) { writeURI(uri) }
            out.append(0x7D)
        case .sequenceStart(let header):
            openAttribute(header)
            levels.append(Level(isSequence: true, characterSet: levels[levels.count - 1].characterSet))
        case .itemStart:
            let parent = levels[levels.count - 1]
            JSONText.append(parent.hasContent ? ",{" : ",\"Value\":[{", to: &out)
            levels[levels.count - 1].hasContent = true
            levels.append(Level(isSequence: false, characterSet: parent.characterSet))
        case .itemEnd:
            levels.removeLast()
            out.append(0x7D)
        case .sequenceEnd:
            let level = levels.removeLast()
            if level.hasContent { out.append(0x5D) }
            out.append(0x7D)
        case .encapsulatedStart(let header):
            inEncapsulated = true
            openAttribute(header)
            if let uri = binaryPolicy.bulkDataURI(header) {
                writeURI(uri)
                chunk = .skip
            } else {
                JSONText.append(",\"InlineBinary\":\"", to: &out)
                chunk = .base64(Base64StreamEncoder())
            }
        case .fragment(let header, let bytes):
            encodeFragmentHeader(header.length)
            if case .base64(var encoder) = chunk {
                encoder.encode(bytes, into: &out)
                chunk = .base64(encoder)
            }
        case .fragmentStart(let header):
            encodeFragmentHeader(header.length)
        case .encapsulatedEnd:
            inEncapsulated = false
            if case .base64(var encoder) = chunk {
                encoder.encode([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0], into: &out)
                encoder.finish(into: &out)
                out.append(0x22)
            }
            out.append(0x7D)
            chunk = nil
        case .end:
            out.append(0x7D)
        }
    }

    private mutating func encodeFragmentHeader(_ length: UInt32) {
        guard case .base64(var encoder) = chunk else { return }
        let header: [UInt8] = [
            0xFE, 0xFF, 0x00, 0xE0, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF),
            UInt8(length >> 24),
        ]
        encoder.encode(header, into: &out)
        chunk = .base64(encoder)
    }

    private mutating func openAttribute(_ header: ElementHeader) {
        if levels[levels.count - 1].hasContent { out.append(0x2C) }
        levels[levels.count - 1].hasContent = true
        out.append(0x22)
        out.append(contentsOf: header.tag.hexString.utf8)
        JSONText.append("\":{\"vr\":", to: &out)
        JSONText.appendString(header.vr.rawValue, to: &out)
    }

    private mutating func writeURI(_ uri: String) {
        JSONText.append(",\"BulkDataURI\":", to: &out)
        JSONText.appendString(uri, to: &out)
    }

    private mutating func writeValues(_ header: ElementHeader, _ bytes: [UInt8]) {
        let charset = levels[levels.count - 1].characterSet
        let values: ModelValues
        do {
            values = try ModelValueCodec.decode(bytes, vr: header.vr, characterSet: charset)
        } catch {
            warnings.append("\(header.tag): \(error)")
            values =
                (try? ModelValueCodec.decode(
                    bytes, vr: header.vr, characterSet: SpecificCharacterSet(terms: ["ISO_IR 100"])))
                ?? .strings([String(decoding: bytes, as: UTF8.self)])
        }
        guard values.count > 0 else { return }
        if case .strings(let list) = values, header.vr == .IS || header.vr == .DS {
            // An IS or DS value that is not a number (IS `1A`) can be neither a JSON Number nor a JSON String
            // (which must hold a valid IS or DS too, PS3.18 §F.2.3): it is written as an empty value, `null`
            // (§F.2.5), keeping the positions of the valid ones, and an attribute with no valid value has no
            // `Value`; so standard readers load the rest of the data set. The stored instance keeps the bytes.
            let literals = list.map { $0.flatMap { ModelValueCodec.numberLiteral($0, vr: header.vr) } }
            if zip(list, literals).contains(where: { $0 != nil && $1 == nil }) {
                warnings.append("\(header.tag): \(header.vr) value that is not a number left out")
            }
            guard literals.contains(where: { $0 != nil }) else { return }
            JSONText.append(",\"Value\":[", to: &out)
            for (i, v) in literals.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(contentsOf: (v ?? "null").utf8)
            }
            out.append(0x5D)
            return
        }
        JSONText.append(",\"Value\":[", to: &out)
        switch values {
        case .strings(let list):
            for (i, v) in list.enumerated() {
                if i > 0 { out.append(0x2C) }
                if let v { JSONText.appendString(v, to: &out) } else { JSONText.append("null", to: &out) }
            }
        case .numbers(let list):
            for (i, v) in list.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(contentsOf: (v ?? "null").utf8)
            }
        case .tags(let list):
            for (i, v) in list.enumerated() {
                if i > 0 { out.append(0x2C) }
                JSONText.appendString(v, to: &out)
            }
        case .personNames(let list):
            for (i, v) in list.enumerated() {
                if i > 0 { out.append(0x2C) }
                guard let v else {
                    JSONText.append("null", to: &out)
                    continue
                }
                out.append(0x7B)
                var first = true
                for (key, group) in [
                    ("Alphabetic", v.alphabetic), ("Ideographic", v.ideographic), ("Phonetic", v.phonetic),
                ] {
                    guard let group else { continue }
                    if !first { out.append(0x2C) }
                    first = false
                    JSONText.appendString(key, to: &out)
                    out.append(0x3A)
                    JSONText.appendString(group, to: &out)
                }
                out.append(0x7D)
            }
        case .binary:
            break
        }
        out.append(0x5D)
    }
}
