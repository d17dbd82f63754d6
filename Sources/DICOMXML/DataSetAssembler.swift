/// Turns the attributes read from a document into a data set: picks VRs, encodes values in the item's
/// character set, restores private creators and encapsulated pixel data.
struct DataSetAssembler {
    /// Turns the attributes' byte offsets into line and column for errors.
    let locator: XMLLocator
    /// What was not exact.
    private(set) var warnings: [String] = []

    /// The data set of one level (the document or an item), whose character set defaults to `inherited`.
    mutating func dataSet(
        _ raw: [RawAttribute], inherited: SpecificCharacterSet, path: String
    ) throws(XMLModelError)
        -> DataSet
    {
        let characterSet = Self.characterSet(of: raw) ?? inherited
        let attributes = try placePrivateElements(raw, path: path)
        var result = DataSet()
        for attribute in attributes {
            if attribute.tag.isGroupLength {
                warnings.append("\(path)\(attribute.tag): group length dropped (PS3.19 §A.1.1)")
                continue
            }
            if result.contains(attribute.tag) {
                warnings.append("\(path)\(attribute.tag): the attribute appears twice; the first is kept")
                continue
            }
            result.set(try element(attribute, characterSet: characterSet, path: path))
        }
        return result
    }

    /// The character set declared by (0008,0005) among `raw`, if it is there.
    private static func characterSet(of raw: [RawAttribute]) -> SpecificCharacterSet? {
        guard let declared = raw.first(where: { $0.tag == .specificCharacterSet }) else { return nil }
        switch declared.content {
        case .values(let terms): return SpecificCharacterSet(terms: terms.map { $0 ?? "" })
        case .inlineBinary(let bytes): return SpecificCharacterSet(encodedValue: bytes)
        case .empty: return .default
        default: return nil
        }
    }

    private mutating func element(
        _ raw: RawAttribute, characterSet: SpecificCharacterSet, path: String
    )
        throws(XMLModelError) -> DataElement
    {
        let tag = raw.tag
        let vr = raw.vr ?? DataDictionary.vr(for: tag) ?? (tag.isPrivateCreator ? .LO : .UN)
        switch raw.content {
        case .bulkData(let uri):
            return DataElement(tag: tag, vr: vr, value: .bulk(BulkDataReference(uri: uri)))
        case .empty:
            return DataElement(tag: tag, vr: vr, value: vr == .SQ ? .sequence([]) : .bytes([]))
        case .items(let items):
            guard vr == .SQ || vr == .UN else {
                throw error(raw, path, .invalidModel, "Item elements in a \(vr) attribute")
            }
            var dataSets: [DataSet] = []
            for (i, item) in items.enumerated() {
                dataSets.append(try dataSet(item, inherited: characterSet, path: "\(path)\(tag)[\(i + 1)]>"))
            }
            return DataElement(tag, items: dataSets)
        case .inlineBinary(let bytes):
            if tag == .pixelData, [.OB, .OW, .UN].contains(vr), bytes.starts(with: [0xFE, 0xFF, 0x00, 0xE0]),
                let pixels = EncapsulatedStream.parse(bytes)
            {
                return DataElement(tag: tag, vr: vr, value: .encapsulated(pixels))
            }
            return DataElement(tag, vr, bytes: bytes)
        case .fragments(let fragments):
            guard tag == .pixelData, !fragments.isEmpty else {
                throw error(raw, path, .invalidModel, "DataFragment elements outside Pixel Data")
            }
            let pixels = EncapsulatedPixelData(basicOffsetTable: fragments[0], fragments: Array(fragments.dropFirst()))
            return DataElement(tag: tag, vr: vr, value: .encapsulated(pixels))
        case .personNames(let names):
            guard vr == .PN else { throw error(raw, path, .invalidModel, "PersonName elements in a \(vr) attribute") }
            return DataElement(tag, vr, bytes: try encodeText(.personNames(names), vr: vr, raw, characterSet, path))
        case .values(let values):
            return DataElement(tag, vr, bytes: try encodeValues(values, vr: vr, raw, characterSet, path))
        }
    }

    private mutating func encodeValues(
        _ values: [String?], vr: VR, _ raw: RawAttribute, _ characterSet: SpecificCharacterSet, _ path: String
    ) throws(XMLModelError) -> [UInt8] {
        switch vr {
        case .SQ, .OB, .OD, .OF, .OL, .OV, .OW, .UN:
            throw error(
                raw, path, .invalidModel, "Value elements in a \(vr) attribute (binary values are InlineBinary)")
        case .PN:
            return try encodeText(
                .personNames(values.map { $0.map(PersonName.init(dicom:)) }), vr: vr, raw, characterSet, path)
        case .AT, .US, .SS, .UL, .SL, .UV, .SV, .FL, .FD:
            var list: [String] = []
            for value in values {
                guard let value else {
                    throw error(raw, path, .invalidValue, "an empty value in a list of \(vr) values")
                }
                list.append(value.trimmingXMLSpace)
            }
            do {
                return try ModelValueCodec.encode(
                    vr == .AT ? .tags(list) : .numbers(list), vr: vr, characterSet: characterSet)
            } catch {
                throw self.error(raw, path, .invalidValue, "\(error)")
            }
        default:
            if vr.allowsMultipleValues, values.contains(where: { $0?.contains("\\") ?? false }) {
                throw error(raw, path, .invalidValue, "a \(vr) value contains a backslash, the value delimiter")
            }
            return try encodeText(.strings(values), vr: vr, raw, characterSet, path)
        }
    }

    /// Encodes text values in `characterSet`, falling back to ISO 8859-1 (with a warning) when the set cannot
    /// represent them: the inverse of the encoder's fallback for undecodable bytes.
    private mutating func encodeText(
        _ values: ModelValues, vr: VR, _ raw: RawAttribute, _ characterSet: SpecificCharacterSet, _ path: String
    ) throws(XMLModelError) -> [UInt8] {
        do {
            return try ModelValueCodec.encode(values, vr: vr, characterSet: characterSet)
        } catch {
            let text: String
            switch values {
            case .strings(let list): text = list.map { $0 ?? "" }.joined(separator: "\\")
            case .personNames(let list): text = list.map { $0?.dicomValue ?? "" }.joined(separator: "\\")
            default: throw self.error(raw, path, .invalidValue, "\(error)")
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars {
                guard scalar.value <= 0xFF else {
                    throw self.error(
                        raw, path, .invalidValue, "the value cannot be encoded in the declared Specific Character Set")
                }
                bytes.append(UInt8(scalar.value))
            }
            warnings.append(
                "\(path)\(raw.tag): the value cannot be encoded in the declared Specific Character Set; written as ISO 8859-1"
            )
            return bytes
        }
    }

    // MARK: - Private elements

    /// Restores private creators: a private data element whose `privateCreator` names a creator missing from
    /// the level gets a creator element; one written with the block byte masked (`gggg00ee`) moves into its
    /// creator's block, which is allocated if needed (PS3.5 §7.8.1).
    private func placePrivateElements(_ raw: [RawAttribute], path: String) throws(XMLModelError) -> [RawAttribute] {
        guard raw.contains(where: { $0.privateCreator != nil && $0.tag.isPrivate }) else { return raw }
        // Creator elements: (gggg,0010-00FF) without a privateCreator, or naming themselves.
        func creatorValue(_ attribute: RawAttribute) -> String? {
            guard attribute.tag.isPrivateCreator, case .values(let values) = attribute.content, values.count == 1,
                let name = values[0]?.trimmingXMLSpace
            else { return nil }
            let declared = attribute.privateCreator?.trimmingXMLSpace
            return declared == nil || declared == name ? name : nil
        }
        var creators: [Tag: String] = [:]
        for attribute in raw {
            if let name = creatorValue(attribute) { creators[attribute.tag] = name }
        }
        var result: [RawAttribute] = []
        var added: [RawAttribute] = []
        for var attribute in raw {
            guard let creator = attribute.privateCreator?.trimmingXMLSpace, attribute.tag.isPrivate,
                creatorValue(attribute) == nil
            else {
                result.append(attribute)
                continue
            }
            let tag = attribute.tag
            if let slot = tag.privateCreatorTag {
                if creators[slot] == nil {
                    creators[slot] = creator
                    added.append(Self.creatorElement(slot, creator, like: attribute))
                }
            } else if tag.element <= 0x00FF {
                let group = tag.group
                let block: UInt16
                if let existing = creators.first(where: { $0.key.group == group && $0.value == creator })?.key {
                    block = existing.element
                } else {
                    guard
                        let free = (UInt16(0x10)...0xFF).first(where: {
                            creators[Tag(group: group, element: $0)] == nil
                        })
                    else {
                        throw error(attribute, path, .invalidModel, "no free private block in group \(group)")
                    }
                    block = free
                    let slot = Tag(group: group, element: free)
                    creators[slot] = creator
                    added.append(Self.creatorElement(slot, creator, like: attribute))
                }
                attribute.tag = Tag(group: group, element: block << 8 | tag.element)
            }
            result.append(attribute)
        }
        return result + added
    }

    private static func creatorElement(_ tag: Tag, _ creator: String, like attribute: RawAttribute) -> RawAttribute {
        RawAttribute(
            tag: tag, vr: .LO, privateCreator: nil, content: .values([creator]), offset: attribute.offset)
    }

    private func error(
        _ raw: RawAttribute, _ path: String, _ code: XMLModelError.Code, _ message: String
    )
        -> XMLModelError
    {
        let p = locator.position(of: raw.offset)
        return XMLModelError(code: code, message: message, line: p.line, column: p.column, path: "\(path)\(raw.tag)")
    }
}

extension String {
    /// The string without leading and trailing XML white space.
    var trimmingXMLSpace: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" { s = s.dropLast() }
        return String(s)
    }
}
