/// Reads the DICOM JSON Model (PS3.18 Annex F) into data sets.
///
/// Text is encoded in the character set the object's Specific Character Set (0008,0005) declares
/// (inherited by nested items), IS and DS keep their number literals, `InlineBinary` becomes bytes (an
/// encapsulated Pixel Data stream becomes ``Value/encapsulated(_:)``) and `BulkDataURI` becomes a
/// ``Value/bulk(_:)`` reference.
public enum DICOMJSONDecoder {
    /// Decodes one JSON object, or an array holding exactly one.
    public static func decode(_ bytes: [UInt8]) throws -> DataSet {
        let value = try JSONParser.parse(bytes)
        if case .array(let items) = value {
            guard items.count == 1 else { throw DICOMJSONError("expected one data set, found \(items.count)") }
            return try dataSet(items[0], inherited: .default)
        }
        return try dataSet(value, inherited: .default)
    }

    /// Decodes a JSON array of objects (as QIDO-RS and WADO-RS metadata responses carry).
    public static func decodeArray(_ bytes: [UInt8]) throws -> [DataSet] {
        guard case .array(let items) = try JSONParser.parse(bytes) else {
            throw DICOMJSONError("expected an array of data sets")
        }
        return try items.map { try dataSet($0, inherited: .default) }
    }

    /// Converts one parsed DICOM JSON object.
    public static func dataSet(_ value: JSONValue, inherited: SpecificCharacterSet) throws -> DataSet {
        guard case .object(let members) = value else { throw DICOMJSONError("a data set must be a JSON object") }
        var charset = inherited
        if let declared = members.first(where: { $0.0 == Tag.specificCharacterSet.hexString })?.1,
            case .array(let terms)? = declared["Value"]
        {
            charset = SpecificCharacterSet(terms: terms.map { if case .string(let s) = $0 { s } else { "" } })
        }
        var result = DataSet()
        for (key, attribute) in members {
            guard let tag = Tag(hex: key), key.count == 8 else { throw DICOMJSONError("\(key) is not a tag") }
            result.set(try element(tag, attribute, charset))
        }
        return result
    }

    private static func element(
        _ tag: Tag, _ attribute: JSONValue, _ charset: SpecificCharacterSet
    ) throws
        -> DataElement
    {
        guard case .object = attribute else { throw DICOMJSONError("\(tag) must be an object") }
        let vr: VR
        if case .string(let code)? = attribute["vr"] {
            guard let v = VR(rawValue: code) else { throw DICOMJSONError("\(tag) has unknown VR \(code)") }
            vr = v
        } else {
            guard let v = DataDictionary.vr(for: tag) else { throw DICOMJSONError("\(tag) has no vr") }
            vr = v
        }
        if case .string(let uri)? = attribute["BulkDataURI"] {
            return DataElement(tag: tag, vr: vr, value: .bulk(BulkDataReference(uri: uri)))
        }
        if case .string(let base64)? = attribute["InlineBinary"] {
            guard let bytes = Base64Decoder.decode(base64) else { throw DICOMJSONError("\(tag): invalid InlineBinary") }
            if tag == .pixelData, let pixels = EncapsulatedStream.parse(bytes) {
                return DataElement(tag: tag, vr: vr, value: .encapsulated(pixels))
            }
            return DataElement(tag, vr, bytes: bytes)
        }
        let values: [JSONValue]
        switch attribute["Value"] {
        case .array(let list)?: values = list
        case nil: values = []
        default: throw DICOMJSONError("\(tag): Value must be an array")
        }
        if vr == .SQ {
            return DataElement(tag, items: try values.map { try dataSet($0, inherited: charset) })
        }
        let model: ModelValues
        switch vr {
        case .PN:
            model = .personNames(
                try values.map { v -> PersonName? in
                    switch v {
                    case .null: return nil
                    case .object:
                        func group(_ k: String) -> String? { if case .string(let s)? = v[k] { s } else { nil } }
                        return PersonName(
                            alphabetic: group("Alphabetic"), ideographic: group("Ideographic"),
                            phonetic: group("Phonetic"))
                    case .string(let s): return PersonName(dicom: s)
                    default: throw DICOMJSONError("\(tag): invalid PN value")
                    }
                })
        case .AT:
            model = .tags(
                try values.map { v in
                    guard case .string(let s) = v else { throw DICOMJSONError("\(tag): AT values are strings") }
                    return s
                })
        case .IS, .DS, .FL, .FD, .SL, .SS, .SV, .UL, .US, .UV:
            model = .numbers(
                try values.map { v -> String? in
                    switch v {
                    case .null: return nil
                    case .number(let n): return n
                    case .string(let s): return s
                    default: throw DICOMJSONError("\(tag): invalid number")
                    }
                })
        default:
            model = .strings(
                try values.map { v -> String? in
                    switch v {
                    case .null: return nil
                    case .string(let s): return s
                    case .number(let n): return n
                    default: throw DICOMJSONError("\(tag): invalid \(vr) value")
                    }
                })
        }
        return DataElement(tag, vr, bytes: try ModelValueCodec.encode(model, vr: vr, characterSet: charset))
    }
}
