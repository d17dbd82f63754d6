/// Streams the Native DICOM Model (PS3.19 §A.1) from parser events.
///
/// Feed it the events of a ``StreamParser`` (or of ``EventReplay`` for an in-memory data set) and drain
/// ``takeOutput()`` as it goes: no copy of the data set is kept, binary values are base64-encoded chunk by
/// chunk (at most two bytes are carried between chunks), and only the open sequences and items are
/// remembered. The output is one UTF-8 document:
///
/// ```xml
/// <?xml version="1.0" encoding="UTF-8"?>
/// <NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM" xml:space="preserve">
///   <DicomAttribute tag="00100010" vr="PN" keyword="PatientName">
///     <PersonName number="1">
///       <Alphabetic>
///         <FamilyName>Doe</FamilyName>
///         <GivenName>Jane</GivenName>
///       </Alphabetic>
///     </PersonName>
///   </DicomAttribute>
/// </NativeDicomModel>
/// ```
///
/// How values are written (PS3.19 §A.1.5, Table A.1.5-2, and the schema of §A.1.6):
/// - The root carries the schema's namespace and `xml:space="preserve"` (Table A.1.5-1).
/// - `DicomAttribute` carries `tag` (`GGGGEEEE`), `vr`, `keyword` (from the data dictionary; left out for
///   private and unknown tags) and, for private data elements, `privateCreator` (the value of the creator
///   element (gggg,00xx) that reserves the block, in the same item). Group lengths (gggg,0000) are left out
///   (§A.1.1); creator elements are written like any other attribute.
/// - Values are converted by ``ModelValueCodec`` (so JSON and XML agree): one `Value number="n"` per value,
///   numbered from 1; an empty value among several is an empty element `<Value number="n"/>`; a
///   zero-length attribute has no child at all. AT values are `GGGGEEEE`; numbers are the model literals.
/// - PN values are `PersonName number="n"` with an `Alphabetic`, `Ideographic` and `Phonetic` element for
///   each group present, holding only the non-empty components (`FamilyName`, `GivenName`, `MiddleName`,
///   `NamePrefix`, `NameSuffix`). Components beyond the fifth (invalid, but seen) are kept in `NameSuffix`,
///   joined with `^`, so nothing is lost. Trailing empty components are not represented.
/// - Sequences are `Item number="n"` elements (an empty item is `<Item number="n"/>`); every sequence is
///   written with `vr="SQ"`.
/// - OB, OD, OF, OL, OV, OW and UN values are `InlineBinary` (base64) or `BulkData uri="…"`, as the
///   ``BinaryPolicy`` decides. Encapsulated pixel data is one `InlineBinary` holding the item-encoded stream
///   (items with their lengths, then the sequence delimiter, little endian), or one `BulkData`.
///   ``ParseEvent/bulkData(_:_:)`` events become `BulkData` with the reference's URI (or the policy's).
///
/// Text is decoded in the Specific Character Set (0008,0005) of its item (inherited by nested items unless
/// they declare their own). When that fails, a warning is recorded and the bytes are decoded as ISO 8859-1,
/// so none is lost. Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF and CR, such as
/// form feed or an ESC left by a broken ISO 2022 value; U+FFFE; U+FFFF) are replaced by `?` and a warning
/// is recorded: `?` exists in every DICOM character set, so the document still decodes (U+FFFD would not
/// encode back into most of them). CR is written as `&#13;` so readers keep it.
///
/// Elements are written in the order they arrive: a stream with an element out of tag order is written that
/// way (with a warning), as only an in-memory data set can be sorted. An element repeating the tag just
/// written is left out (with a warning), as ``DataSetBuilder`` and the JSON encoder do: the first is kept.
/// Warnings name the attribute by its tag path only, never its value.
public struct NativeXMLEncoder: Sendable {
    /// The namespace of the Native DICOM Model schema (PS3.19 §A.1.6).
    public static let namespace = "http://dicom.nema.org/PS3.19/models/NativeDICOM"

    /// The binary policy.
    public let binaryPolicy: BinaryPolicy
    /// Whether file meta elements (those before ``ParseEvent/dataSetStart(_:)``) are written.
    public let includeFileMeta: Bool
    /// Whether elements are indented, one per line. Indentation is white space between elements only,
    /// never inside a `Value`.
    public let prettyPrinted: Bool
    /// What could not be written exactly: text that failed to decode in its character set, characters
    /// XML cannot carry, bulk data without a URI. Each names the attribute's tag path.
    public private(set) var warnings: [String] = []

    private var out: [UInt8] = []
    private var started = false
    private var finished = false
    private var inMeta = true
    private var openElements: [String] = []
    private var pendingOpen = false
    private var levels: [Level] = [Level()]
    private var sequences: [Sequence] = []
    private var chunk: Chunk?
    private var inEncapsulated = false
    /// More than zero while the events of a left-out duplicate attribute go by.
    private var skipNesting = 0

    private struct Level: Sendable {
        var characterSet = SpecificCharacterSet.default
        /// Creator element tag → private creator, for this item's private blocks.
        var creators: [Tag: String] = [:]
        /// The last attribute written at this level.
        var lastTag: Tag?
    }

    private struct Sequence: Sendable {
        var tag: Tag
        var items = 0
    }

    private enum Chunk: Sendable {
        /// An `InlineBinary` being written.
        case base64(Base64StreamEncoder)
        /// A text value being gathered.
        case text(ElementHeader, [UInt8])
        /// Bytes not written: the attribute is complete (a `BulkData`), or not written at all.
        case discard(closesAttribute: Bool)
    }

    /// Creates an encoder.
    public init(binaryPolicy: BinaryPolicy = .inline, includeFileMeta: Bool = false, prettyPrinted: Bool = true) {
        self.binaryPolicy = binaryPolicy
        self.includeFileMeta = includeFileMeta
        self.prettyPrinted = prettyPrinted
    }

    /// The XML produced so far; the buffer is emptied, so a caller can stream the document as it grows.
    public mutating func takeOutput() -> [UInt8] {
        defer { out.removeAll(keepingCapacity: true) }
        return out
    }

    /// Encodes an in-memory data set as one document (via ``EventReplay``).
    public static func encode(
        _ dataSet: DataSet, binaryPolicy: BinaryPolicy = .inline, prettyPrinted: Bool = true
    )
        -> String
    {
        var encoder = NativeXMLEncoder(binaryPolicy: binaryPolicy, prettyPrinted: prettyPrinted)
        EventReplay.replay(dataSet) { encoder.consume($0) }
        return String(decoding: encoder.takeOutput(), as: UTF8.self)
    }

    /// Takes one event, appending what it completes to the output.
    public mutating func consume(_ event: ParseEvent) {
        if finished { return }
        if !started {
            started = true
            XMLText.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", to: &out)
            newline()
            open("NativeDicomModel", [("xmlns", Self.namespace), ("xml:space", "preserve")])
        }
        if case .dataSetStart = event {
            inMeta = false
            levels = [Level()]
            return
        }
        if inMeta && !includeFileMeta {
            if case .end = event {} else { return }
        }
        if skipNesting > 0 {
            switch event {
            case .elementStart, .sequenceStart, .encapsulatedStart, .fragmentStart: skipNesting += 1
            case .valueEnd, .sequenceEnd, .encapsulatedEnd: skipNesting -= 1
            case .end: skipNesting = 0
            default: break
            }
            if skipNesting > 0 { return }
            if case .end = event {} else { return }
        }
        if let header = event.startedElement, !header.tag.isGroupLength {
            let level = levels.count - 1
            if let last = levels[level].lastTag, header.tag <= last {
                if header.tag == last {
                    // As DataSetBuilder and the JSON encoder do: the first occurrence is kept.
                    warn(header.tag, "duplicate attribute left out")
                    if event.opensValue { skipNesting = 1 }
                    return
                }
                warn(header.tag, "the attribute is out of tag order")
            }
            levels[level].lastTag = header.tag
        }
        switch event {
        case .dataSetStart:
            break
        case .element(let header, let bytes):
            if header.tag.isGroupLength { return }
            openAttribute(header)
            if header.vr.isBulkBinary {
                if let uri = binaryPolicy.bulkDataURI(header) {
                    bulkData(uri)
                } else if !bytes.isEmpty {
                    var encoder = startInlineBinary()
                    encoder.encode(bytes, into: &out)
                    endInlineBinary(&encoder)
                }
            } else {
                writeValues(header, bytes)
            }
            close()
        case .elementStart(let header):
            if header.tag.isGroupLength {
                chunk = .discard(closesAttribute: false)
                return
            }
            openAttribute(header)
            if header.vr.isBulkBinary {
                if let uri = binaryPolicy.bulkDataURI(header) {
                    bulkData(uri)
                    chunk = .discard(closesAttribute: true)
                } else {
                    chunk = .base64(startInlineBinary())
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
            case .discard, nil:
                break
            }
        case .valueEnd:
            if inEncapsulated { return }  // the end of a fragment; the stream goes on
            switch chunk {
            case .base64(var encoder):
                endInlineBinary(&encoder)
                close()
            case .text(let header, let text):
                writeValues(header, text)
                close()
            case .discard(let closesAttribute):
                if closesAttribute { close() }
            case nil:
                break
            }
            chunk = nil
        case .bulkData(let header, let reference):
            openAttribute(header)
            if let uri = reference.uri ?? binaryPolicy.bulkDataURI(header) {
                bulkData(uri)
            } else {
                warn(header.tag, "bulk data without a URI is written as an empty attribute")
            }
            close()
        case .sequenceStart(let header):
            openAttribute(header, vr: .SQ)
            sequences.append(Sequence(tag: header.tag))
        case .itemStart:
            guard !sequences.isEmpty else { return }  // not from a parser: items only come inside sequences
            sequences[sequences.count - 1].items += 1
            open("Item", [("number", String(sequences[sequences.count - 1].items))])
            levels.append(Level(characterSet: levels[levels.count - 1].characterSet))
        case .itemEnd:
            guard levels.count > 1 else { return }
            levels.removeLast()
            close()
        case .sequenceEnd:
            if !sequences.isEmpty { sequences.removeLast() }
            close()
        case .encapsulatedStart(let header):
            openAttribute(header)
            inEncapsulated = true
            if let uri = binaryPolicy.bulkDataURI(header) {
                bulkData(uri)
                chunk = .discard(closesAttribute: true)
            } else {
                chunk = .base64(startInlineBinary())
            }
        case .fragment(let header, let bytes):
            if case .base64(var encoder) = chunk {
                encoder.encode(Self.itemHeader(header.length), into: &out)
                encoder.encode(bytes, into: &out)
                chunk = .base64(encoder)
            }
        case .fragmentStart(let header):
            if case .base64(var encoder) = chunk {
                encoder.encode(Self.itemHeader(header.length), into: &out)
                chunk = .base64(encoder)
            }
        case .encapsulatedEnd:
            if case .base64(var encoder) = chunk {
                encoder.encode([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0], into: &out)
                endInlineBinary(&encoder)
            }
            inEncapsulated = false
            chunk = nil
            close()
        case .end:
            while !openElements.isEmpty { close() }
            finished = true
        }
    }

    // MARK: - Attributes

    private mutating func openAttribute(_ header: ElementHeader, vr: VR? = nil) {
        let tag = header.tag
        var attributes: [(String, String)] = [("tag", tag.hexString), ("vr", (vr ?? header.vr).rawValue)]
        if !tag.isPrivate, let keyword = DataDictionary.keyword(for: tag) {
            attributes.append(("keyword", keyword))
        }
        if let creatorTag = tag.privateCreatorTag, let creator = levels[levels.count - 1].creators[creatorTag] {
            attributes.append(("privateCreator", creator))
        }
        open("DicomAttribute", attributes)
    }

    private mutating func bulkData(_ uri: String) {
        flushOpen()
        indent()
        XMLText.raw("<BulkData uri=\"", to: &out)
        XMLText.append(uri, attribute: true, to: &out)
        XMLText.raw("\"/>", to: &out)
        newline()
    }

    private mutating func startInlineBinary() -> Base64StreamEncoder {
        flushOpen()
        indent()
        XMLText.raw("<InlineBinary>", to: &out)
        return Base64StreamEncoder()
    }

    private mutating func endInlineBinary(_ encoder: inout Base64StreamEncoder) {
        encoder.finish(into: &out)
        XMLText.raw("</InlineBinary>", to: &out)
        newline()
    }

    private static func itemHeader(_ length: UInt32) -> [UInt8] {
        [
            0xFE, 0xFF, 0x00, 0xE0, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF),
            UInt8(length >> 24),
        ]
    }

    // MARK: - Values

    private mutating func writeValues(_ header: ElementHeader, _ bytes: [UInt8]) {
        let level = levels[levels.count - 1]
        if header.tag == .specificCharacterSet && !inMeta {
            levels[levels.count - 1].characterSet = SpecificCharacterSet(encodedValue: bytes)
        }
        let values: ModelValues
        do {
            values = try ModelValueCodec.decode(bytes, vr: header.vr, characterSet: level.characterSet)
        } catch {
            warn(header.tag, "\(error); the value is written as decoded with ISO 8859-1")
            values = Self.latin1Values(bytes, vr: header.vr)
        }
        if header.tag.isPrivateCreator, case .strings(let list) = values, let first = list.first, let creator = first {
            levels[levels.count - 1].creators[header.tag] = creator
        }
        var clean = true
        switch values {
        case .strings(let list), .numbers(let list):
            for (i, v) in list.enumerated() { clean = leaf("Value", number: i + 1, text: v) && clean }
        case .tags(let list):
            for (i, v) in list.enumerated() { clean = leaf("Value", number: i + 1, text: v) && clean }
        case .personNames(let list):
            // A name whose groups hold no component cannot be told from an empty value in the model.
            let names = list.map(Self.withoutEmptyGroups)
            if names != [nil] {
                for (i, name) in names.enumerated() { clean = personName(name, number: i + 1) && clean }
            }
        case .binary(let bytes):
            if !bytes.isEmpty {
                var encoder = startInlineBinary()
                encoder.encode(bytes, into: &out)
                endInlineBinary(&encoder)
            }
        }
        if !clean { warn(header.tag, "characters XML 1.0 cannot represent were replaced by '?'") }
    }

    /// A value that failed to decode in its character set, decoded byte for byte as ISO 8859-1 and split
    /// and trimmed as ``ModelValueCodec`` does.
    static func latin1Values(_ bytes: [UInt8], vr: VR) -> ModelValues {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        let text = String(scalars)
        let raw: [Substring] =
            vr.allowsMultipleValues ? text.split(separator: "\\", omittingEmptySubsequences: false) : [text[...]]
        if raw.count == 1 && raw[0].allSatisfy({ $0 == " " || $0 == "\0" }) {
            return vr == .PN ? .personNames([]) : .strings([])
        }
        let keepsLeadingSpaces = [VR.LT, .ST, .UT, .UR, .UC].contains(vr)
        let values = raw.map { value -> String? in
            var v = value
            while let last = v.last, last == " " || last == "\0" { v = v.dropLast() }
            if !keepsLeadingSpaces { while v.first == " " { v = v.dropFirst() } }
            return v.isEmpty ? nil : String(v)
        }
        if vr == .PN { return .personNames(values.map { $0.map(PersonName.init(dicom:)) }) }
        return .strings(values)
    }

    /// `name` without the groups that hold no component (`^^`), or `nil` if none is left.
    static func withoutEmptyGroups(_ name: PersonName?) -> PersonName? {
        guard let name else { return nil }
        func group(_ g: String?) -> String? {
            guard let g, g.contains(where: { $0 != "^" }) else { return nil }
            return g
        }
        let result = PersonName(
            alphabetic: group(name.alphabetic), ideographic: group(name.ideographic), phonetic: group(name.phonetic))
        return result == PersonName() ? nil : result
    }

    private mutating func personName(_ name: PersonName?, number: Int) -> Bool {
        guard let name else { return leaf("PersonName", number: number, text: nil) }
        var clean = true
        open("PersonName", [("number", String(number))])
        for (groupName, group) in [
            ("Alphabetic", name.alphabetic), ("Ideographic", name.ideographic), ("Phonetic", name.phonetic),
        ] {
            guard let group else { continue }
            var components = PersonName.components(of: group)
            if components.count > 5 {
                components = Array(components[0..<4]) + [components[4...].joined(separator: "^")]
            }
            open(groupName)
            for (k, component) in components.enumerated() where !component.isEmpty {
                clean = leaf(Self.componentNames[k], number: nil, text: component) && clean
            }
            close()
        }
        close()
        return clean
    }

    static let componentNames = ["FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"]

    private mutating func warn(_ tag: Tag, _ message: String) {
        var path = ""
        for s in sequences { path += "\(s.tag)[\(s.items)]>" }
        warnings.append("\(path)\(tag): \(message)")
    }

    // MARK: - Writing elements

    private mutating func newline() {
        if prettyPrinted { out.append(0x0A) }
    }

    private mutating func indent() {
        if prettyPrinted { out.append(contentsOf: repeatElement(0x20, count: 2 * openElements.count)) }
    }

    /// Ends a start tag left open for content.
    private mutating func flushOpen() {
        guard pendingOpen else { return }
        out.append(0x3E)
        newline()
        pendingOpen = false
    }

    /// Writes `<name attributes` and leaves the tag open: it becomes `<name …/>` if nothing follows.
    private mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        flushOpen()
        indent()
        out.append(0x3C)
        out.append(contentsOf: name.utf8)
        for (key, value) in attributes {
            out.append(0x20)
            out.append(contentsOf: key.utf8)
            out.append(contentsOf: [0x3D, 0x22])
            XMLText.append(value, attribute: true, to: &out)
            out.append(0x22)
        }
        pendingOpen = true
        openElements.append(name)
    }

    /// Closes the innermost open element.
    private mutating func close() {
        guard let name = openElements.popLast() else { return }
        if pendingOpen {
            out.append(contentsOf: [0x2F, 0x3E])
            pendingOpen = false
        } else {
            indent()
            out.append(contentsOf: [0x3C, 0x2F])
            out.append(contentsOf: name.utf8)
            out.append(0x3E)
        }
        newline()
    }

    /// Writes `<name number="n">text</name>` (or `<name/>`, `<name number="n"/>` when there is no text) on
    /// one line; returns `false` if characters had to be replaced.
    private mutating func leaf(_ name: String, number: Int?, text: String?) -> Bool {
        flushOpen()
        indent()
        out.append(0x3C)
        out.append(contentsOf: name.utf8)
        if let number {
            XMLText.raw(" number=\"", to: &out)
            out.append(contentsOf: String(number).utf8)
            out.append(0x22)
        }
        var clean = true
        if let text, !text.isEmpty {
            out.append(0x3E)
            clean = XMLText.append(text, to: &out)
            out.append(contentsOf: [0x3C, 0x2F])
            out.append(contentsOf: name.utf8)
            out.append(0x3E)
        } else {
            out.append(contentsOf: [0x2F, 0x3E])
        }
        newline()
        return clean
    }
}
