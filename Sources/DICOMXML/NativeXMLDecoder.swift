/// Reads Native DICOM Model documents (PS3.19 §A.1) into data sets.
///
/// The XML is read by Lantern's own strict parser, which refuses document type declarations and every
/// entity other than the five predefined ones (no XXE, no entity expansion) and bounds nesting with
/// ``XMLLimits``. Element names are matched without their namespace prefix, and the namespace itself is not
/// checked, so documents with or without `xmlns` are read alike.
///
/// Mapping (the inverse of ``NativeXMLEncoder``):
/// - `vr` gives the VR (PS3.19 requires it); when it is missing the data dictionary's VR is used.
/// - `Value` elements, ordered by `number` (missing numbers are empty values), become ``ModelValues`` and are
///   encoded by ``ModelValueCodec`` in the Specific Character Set (0008,0005) of their item, inherited by
///   nested items. The whole item is read before it is encoded, so the position of (0008,0005) does not
///   matter. Text the declared set cannot represent but ISO 8859-1 can is written as ISO 8859-1 (the
///   inverse of the encoder's fallback) with a warning; otherwise decoding fails.
/// - `PersonName` groups are rebuilt from their components (`^` between them, trailing empty ones left out).
/// - `Item` elements become sequence items; `InlineBinary` becomes bytes, and an OB/OW/UN Pixel Data value
///   holding an item-encoded stream (starting `FE FF 00 E0`) becomes ``Value/encapsulated(_:)``.
///   `BulkData uri` becomes ``Value/bulk(_:)`` with that URI (a `uuid` is kept as `urn:uuid:…`).
/// - A private data element with a `privateCreator` whose creator element is missing gets one; an element
///   written with the block byte masked (`gggg00ee`, as dcm4che writes them) is placed in its creator's
///   block, allocating one if needed.
/// - Group lengths (gggg,0000) are dropped (§A.1.1). Attributes may come in any order; of two with the same
///   tag in one item the first is kept (as ``DataSetBuilder`` does with a stream), with a warning.
public enum NativeXMLDecoder {
    /// Decodes one `NativeDicomModel` document.
    public static func decode(_ xml: [UInt8], limits: XMLLimits = XMLLimits()) throws(XMLModelError) -> DataSet {
        var warnings: [String] = []
        return try decode(xml, limits: limits, warnings: &warnings)
    }

    /// Decodes one `NativeDicomModel` document, reporting what was not exact (text written in ISO 8859-1
    /// because the declared character set could not represent it, dropped group lengths, duplicates).
    public static func decode(
        _ xml: [UInt8], limits: XMLLimits = XMLLimits(), warnings: inout [String]
    )
        throws(XMLModelError) -> DataSet
    {
        var reader = try ModelReader(xml, limits: limits)
        let root = try reader.document()
        var builder = DataSetAssembler(locator: reader.locator)
        let dataSet = try builder.dataSet(root, inherited: .default, path: "")
        warnings.append(contentsOf: builder.warnings)
        return dataSet
    }

    /// Decodes one `NativeDicomModel` document given as text.
    public static func decode(_ xml: String, limits: XMLLimits = XMLLimits()) throws(XMLModelError) -> DataSet {
        try decode(Array(xml.utf8), limits: limits)
    }
}

// MARK: - The document as read

/// One `DicomAttribute` as written in the document, before its values are encoded.
struct RawAttribute: Sendable {
    var tag: Tag
    var vr: VR?
    var privateCreator: String?
    var content: RawContent
    /// Byte offset of the `DicomAttribute` start tag, for error positions (computed only on error).
    var offset: Int
}

/// The content of a `DicomAttribute`.
enum RawContent: Sendable {
    case empty
    case values([String?])
    case personNames([PersonName?])
    case items([[RawAttribute]])
    case inlineBinary([UInt8])
    case fragments([[UInt8]])
    case bulkData(String)
}

/// Reads the document's structure (PS3.19 §A.1.6 schema) from the scanner's tokens.
struct ModelReader {
    private var scanner: XMLScanner
    private var path: [String] = []

    init(_ bytes: [UInt8], limits: XMLLimits) throws(XMLModelError) {
        scanner = try XMLScanner(bytes, limits: limits)
    }

    /// Turns byte offsets into line and column.
    var locator: XMLLocator { scanner.locator }

    mutating func document() throws(XMLModelError) -> [RawAttribute] {
        guard case .start(let name, _, let offset)? = try scanner.next() else {
            throw XMLModelError(code: .invalidModel, message: "the document is empty")
        }
        guard Self.local(name) == "NativeDicomModel" else {
            throw modelError("the root element is <\(name)>, not <NativeDicomModel>", at: offset)
        }
        let attributes = try dataSet()
        _ = try scanner.next()  // nil: the scanner has checked that nothing but comments and PIs follow
        return attributes
    }

    /// The `DicomAttribute` children of the current element, up to its end tag.
    private mutating func dataSet() throws(XMLModelError) -> [RawAttribute] {
        var list: [RawAttribute] = []
        while let token = try scanner.next() {
            switch token {
            case .start(let name, let attributes, let offset):
                guard Self.local(name) == "DicomAttribute" else {
                    throw modelError("unexpected element <\(name)> where a DicomAttribute belongs", at: offset)
                }
                list.append(try attribute(attributes, offset: offset))
            case .text(let text, let offset):
                try requireSpace(text, offset)
            case .end:
                return list
            }
        }
        throw XMLModelError(code: .malformed, message: "the document ends early")
    }

    private mutating func attribute(_ attributes: [XMLAttribute], offset: Int) throws(XMLModelError) -> RawAttribute {
        guard let tagText = Self.value("tag", attributes) else {
            throw modelError("a DicomAttribute without a tag", at: offset)
        }
        guard tagText.utf8.count == 8, let tag = Tag(hex: tagText) else {
            throw modelError("tag \"\(tagText)\" is not eight hexadecimal digits", at: offset)
        }
        var vr: VR?
        if let code = Self.value("vr", attributes) {
            guard let v = VR(rawValue: code) else { throw modelError("unknown VR \"\(code)\" for \(tag)", at: offset) }
            vr = v
        }
        path.append(tag.description)
        defer { path.removeLast() }

        var values: [(Int, String?)] = []
        var names: [(Int, PersonName?)] = []
        var items: [(Int, [RawAttribute])] = []
        var fragments: [(Int, [UInt8])] = []
        var inline: [UInt8]?
        var bulk: String?
        var kind: String?
        while let token = try scanner.next() {
            switch token {
            case .text(let text, let offset):
                try requireSpace(text, offset)
                continue
            case .end:
                break
            case .start(let name, let childAttributes, let childOffset):
                let childKind = Self.local(name)
                if let kind, kind != childKind {
                    throw modelError("a DicomAttribute mixes <\(kind)> and <\(childKind)>", at: childOffset)
                }
                kind = childKind
                switch childKind {
                case "Value":
                    let n = try number(childAttributes, next: values.count + 1, at: childOffset)
                    let text = try textContent(name)
                    values.append((n, text.isEmpty ? nil : text))
                case "PersonName":
                    let n = try number(childAttributes, next: names.count + 1, at: childOffset)
                    names.append((n, try personName()))
                case "Item":
                    let n = try number(childAttributes, next: items.count + 1, at: childOffset)
                    path.append("[\(n)]")
                    defer { path.removeLast() }
                    items.append((n, try dataSet()))
                case "InlineBinary":
                    guard inline == nil else { throw modelError("more than one InlineBinary", at: childOffset) }
                    inline = try base64(try textContent(name), at: childOffset)
                case "BulkData":
                    guard bulk == nil else { throw modelError("more than one BulkData", at: childOffset) }
                    if let uri = Self.value("uri", childAttributes) {
                        bulk = uri
                    } else if let uuid = Self.value("uuid", childAttributes) {
                        bulk = "urn:uuid:" + uuid
                    } else {
                        throw modelError("BulkData without a uri", at: childOffset)
                    }
                    _ = try textContent(name)
                case "DataFragment":
                    // Not in the PS3.19 schema, but written by dcm4che: one fragment per element, numbered
                    // from 1 (the Basic Offset Table), each holding an InlineBinary.
                    let n = try number(childAttributes, next: fragments.count + 1, at: childOffset)
                    fragments.append((n, try fragment()))
                default:
                    throw modelError("unexpected element <\(name)> in a DicomAttribute", at: childOffset)
                }
                continue
            }
            break
        }
        let content: RawContent
        switch kind {
        case "Value"?: content = .values(try ordered(values, empty: nil, at: offset))
        case "PersonName"?: content = .personNames(try ordered(names, empty: nil, at: offset))
        case "Item"?: content = .items(try ordered(items, empty: [], at: offset))
        case "InlineBinary"?: content = .inlineBinary(inline ?? [])
        case "BulkData"?: content = .bulkData(bulk ?? "")
        case "DataFragment"?: content = .fragments(try ordered(fragments, empty: [], at: offset))
        default: content = .empty
        }
        return RawAttribute(
            tag: tag, vr: vr, privateCreator: Self.value("privateCreator", attributes), content: content,
            offset: offset)
    }

    /// A `PersonName` element's groups, up to its end tag; `nil` when it has none.
    private mutating func personName() throws(XMLModelError) -> PersonName? {
        var groups: [String: String] = [:]
        while let token = try scanner.next() {
            switch token {
            case .text(let text, let offset):
                try requireSpace(text, offset)
            case .end:
                if groups.isEmpty { return nil }
                func group(_ key: String) -> String? { groups[key].flatMap { $0.isEmpty ? nil : $0 } }
                return PersonName(
                    alphabetic: group("Alphabetic"), ideographic: group("Ideographic"), phonetic: group("Phonetic"))
            case .start(let name, _, let offset):
                var key = Self.local(name)
                if key == "SingleByte" { key = "Alphabetic" }  // the name of the group before DICOM 2008
                guard ["Alphabetic", "Ideographic", "Phonetic"].contains(key) else {
                    throw modelError("unexpected element <\(name)> in a PersonName", at: offset)
                }
                guard groups[key] == nil else { throw modelError("PersonName has two <\(key)> groups", at: offset) }
                groups[key] = try nameGroup()
            }
        }
        throw XMLModelError(code: .malformed, message: "the document ends early")
    }

    /// One component group, joined with `^` and without trailing empty components.
    private mutating func nameGroup() throws(XMLModelError) -> String {
        var components = [String](repeating: "", count: 5)
        var seen = Set<Int>()
        while let token = try scanner.next() {
            switch token {
            case .text(let text, let offset):
                try requireSpace(text, offset)
            case .end:
                while components.last == "" { components.removeLast() }
                return components.joined(separator: "^")
            case .start(let name, _, let offset):
                guard let k = NativeXMLEncoder.componentNames.firstIndex(of: Self.local(name)) else {
                    throw modelError("unexpected element <\(name)> in a person name group", at: offset)
                }
                guard seen.insert(k).inserted else { throw modelError("a name component appears twice", at: offset) }
                components[k] = try textContent(name)
            }
        }
        throw XMLModelError(code: .malformed, message: "the document ends early")
    }

    /// A `DataFragment`'s bytes.
    private mutating func fragment() throws(XMLModelError) -> [UInt8] {
        var bytes: [UInt8]?
        while let token = try scanner.next() {
            switch token {
            case .text(let text, let offset):
                try requireSpace(text, offset)
            case .end:
                return bytes ?? []
            case .start(let name, _, let offset):
                guard Self.local(name) == "InlineBinary", bytes == nil else {
                    throw modelError("a DataFragment must hold one InlineBinary", at: offset)
                }
                bytes = try base64(try textContent(name), at: offset)
            }
        }
        throw XMLModelError(code: .malformed, message: "the document ends early")
    }

    /// The character data of an element that may hold no child element.
    private mutating func textContent(_ name: String) throws(XMLModelError) -> String {
        var text = ""
        while let token = try scanner.next() {
            switch token {
            case .text(let t, _): text += t
            case .end: return text
            case .start(let child, _, let offset):
                throw modelError("unexpected element <\(child)> inside <\(name)>", at: offset)
            }
        }
        throw XMLModelError(code: .malformed, message: "the document ends early")
    }

    /// The `number` attribute (a positive integer, PS3.19 §A.1.6), or `next` when it is missing.
    private func number(_ attributes: [XMLAttribute], next: Int, at offset: Int) throws(XMLModelError) -> Int {
        guard let text = Self.value("number", attributes) else { return next }
        let trimmed = text.trimmingXMLSpace
        guard let n = Int(trimmed), n >= 1 else {
            throw modelError("number \"\(text)\" is not a positive integer", at: offset)
        }
        return n
    }

    /// Values in `number` order. Missing numbers are empty values; the highest number is bounded by the
    /// number of elements, so a document cannot ask for a huge array.
    private func ordered<T>(_ list: [(Int, T)], empty: T, at offset: Int) throws(XMLModelError) -> [T] {
        let sorted = list.sorted { $0.0 < $1.0 }
        guard let last = sorted.last?.0 else { return [] }
        guard last <= 4 * list.count + 64 else {
            throw modelError("number \(last) leaves too large a gap after \(list.count) values", at: offset)
        }
        var result = [T](repeating: empty, count: last)
        var previous = 0
        for (n, value) in sorted {
            guard n != previous else { throw modelError("number \(n) appears twice", at: offset) }
            result[n - 1] = value
            previous = n
        }
        return result
    }

    private func base64(_ text: String, at offset: Int) throws(XMLModelError) -> [UInt8] {
        guard let bytes = Base64Decoder.decode(text) else {
            throw valueError("InlineBinary is not valid base64", at: offset)
        }
        return bytes
    }

    private func requireSpace(_ text: String, _ offset: Int) throws(XMLModelError) {
        guard text.utf8.allSatisfy(XMLScanner.isSpace) else {
            throw modelError("character data outside a Value, name component or InlineBinary", at: offset)
        }
    }

    private func modelError(_ message: String, at offset: Int) -> XMLModelError {
        let p = scanner.locator.position(of: offset)
        return XMLModelError(
            code: .invalidModel, message: message, line: p.line, column: p.column, path: path.joined(separator: ">"))
    }

    private func valueError(_ message: String, at offset: Int) -> XMLModelError {
        var e = modelError(message, at: offset)
        e.code = .invalidValue
        return e
    }

    /// The value of attribute `name` (matched without a namespace prefix).
    static func value(_ name: String, _ attributes: [XMLAttribute]) -> String? {
        for attribute in attributes where attribute.name == name || local(attribute.name) == name {
            return attribute.value
        }
        return nil
    }

    /// A name without its namespace prefix.
    static func local(_ name: String) -> String {
        guard name.utf8.contains(0x3A), let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}
