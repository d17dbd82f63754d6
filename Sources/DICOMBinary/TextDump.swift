/// A readable, line-per-element dump of parser events: tag, VR, length, keyword and value, with nesting
/// shown by indentation (in the spirit of `dcmdump`).
public struct TextDump: Sendable {
    /// Longest value text shown before it is cut with `…`.
    public var maxValueLength = 64
    private var depth = 0
    private var characterSets: [SpecificCharacterSet] = [.default]
    private var inMeta = true
    private var pending: (ElementHeader, [UInt8])?

    /// Creates a dumper.
    public init() {}

    /// The lines for one event (possibly none).
    public mutating func lines(for event: ParseEvent) -> [String] {
        switch event {
        case .dataSetStart(let ts):
            inMeta = false
            return ["# Data set, transfer syntax \(ts.uid)\(ts.name.map { " (\($0))" } ?? "")"]
        case .element(let header, let bytes):
            if header.tag == .specificCharacterSet {
                characterSets[characterSets.count - 1] = SpecificCharacterSet(encodedValue: bytes)
            }
            return [line(header, value: render(header, bytes))]
        case .elementStart(let header):
            pending = (header, [])
            return []
        case .valueChunk(let bytes):
            if var p = pending, p.1.count < maxValueLength {
                p.1 += bytes.prefix(maxValueLength)
                pending = p
            }
            return []
        case .valueEnd:
            guard let (header, bytes) = pending else { return [] }
            pending = nil
            return [line(header, value: render(header, bytes))]
        case .bulkData(let header, let ref):
            return [line(header, value: "(bulk data \(ref.uri ?? "at byte \(ref.offset)"))")]
        case .sequenceStart(let header):
            defer { depth += 1 }
            return [line(header, value: "(sequence)")]
        case .itemStart(_, let length):
            defer {
                depth += 1
                characterSets.append(characterSets[characterSets.count - 1])
            }
            return [indent + "(FFFE,E000) item, length \(length)"]
        case .itemEnd:
            depth -= 1
            characterSets.removeLast()
            return [indent + "(FFFE,E00D) end of item"]
        case .sequenceEnd, .encapsulatedEnd:
            depth -= 1
            return [indent + "(FFFE,E0DD) end of sequence"]
        case .encapsulatedStart(let header):
            defer { depth += 1 }
            return [line(header, value: "(encapsulated pixel data)")]
        case .fragment(let header, _), .fragmentStart(let header):
            let what = header.index == 0 ? "basic offset table" : "fragment \(header.index)"
            return [indent + "(FFFE,E000) \(what), \(header.length) bytes at \(header.valueOffset)"]
        case .end:
            return []
        }
    }

    private var indent: String { String(repeating: "  ", count: depth) }

    private func line(_ header: ElementHeader, value: String) -> String {
        let keyword = DataDictionary.keyword(for: header.tag) ?? (header.tag.isPrivateCreator ? "PrivateCreator" : "?")
        return "\(indent)\(header.tag) \(header.vr) \(header.length) \(keyword) \(value)"
    }

    private func render(_ header: ElementHeader, _ bytes: [UInt8]) -> String {
        let values: ModelValues
        do {
            values = try ModelValueCodec.decode(
                bytes, vr: header.vr, characterSet: characterSets[characterSets.count - 1])
        } catch {
            return "(undecodable: \(error))"
        }
        let text: String
        switch values {
        case .binary(let b):
            let hex = b.prefix(16).map {
                String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
            }
            return "[" + hex.joined(separator: " ") + (b.count > 16 ? " …" : "") + "]"
        case .strings(let v): text = v.map { $0 ?? "" }.joined(separator: "\\")
        case .numbers(let v): text = v.map { $0 ?? "" }.joined(separator: "\\")
        case .tags(let v): text = v.joined(separator: "\\")
        case .personNames(let v): text = v.map { $0?.dicomValue ?? "" }.joined(separator: "\\")
        }
        let cut = text.count > maxValueLength ? String(text.prefix(maxValueLength)) + "…" : text
        return "[\(cut)]"
    }
}
