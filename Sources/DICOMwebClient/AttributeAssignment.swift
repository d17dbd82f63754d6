import DICOMCore
import DICOMDictionary

/// One `Keyword=Value` given on a command line: an attribute named by its keyword or tag and its value,
/// encoded with the attribute's VR from the data dictionary (PS3.6). Several values are separated by `\`,
/// as in the DICOM value encoding (PS3.5 §6.4). A VR can be given for attributes the dictionary does not
/// know, as `GGGGEEEE:VR=Value`.
public struct AttributeAssignment: Sendable, Hashable {
    /// The attribute.
    public var tag: Tag
    /// Its value representation.
    public var vr: VR
    /// Its values, as written.
    public var values: [String]

    /// Parses `Keyword=Value`, `GGGGEEEE=Value`, `(GGGG,EEEE)=Value` or any of them with `:VR` after the name.
    /// An empty value sets the attribute to zero length.
    public init(parsing text: String) throws(DICOMwebClientError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw DICOMwebClientError("\(text): expected Keyword=Value or GGGGEEEE=Value")
        }
        var name = String(text[..<equals]).trimmingSpaces
        let value = String(text[text.index(after: equals)...])
        var explicitVR: VR?
        if let colon = name.firstIndex(of: ":") {
            let code = String(name[name.index(after: colon)...]).uppercased()
            guard let vr = VR(rawValue: code) else { throw DICOMwebClientError("\(text): \(code) is not a VR") }
            explicitVR = vr
            name = String(name[..<colon])
        }
        guard let tag = Self.resolveTag(named: name) else {
            throw DICOMwebClientError("\(text): \(name) is neither a keyword of the data dictionary nor a tag GGGGEEEE")
        }
        guard let vr = explicitVR ?? DataDictionary.vr(for: tag) else {
            throw DICOMwebClientError("\(text): the dictionary has no VR for \(name); give one as \(name):VR=value")
        }
        self.tag = tag
        self.vr = vr
        self.values =
            value.isEmpty ? [] : value.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)
        _ = try element()
    }

    /// The tag a keyword (`PatientName`) or 8 hex digits (with or without `(`, `,` and `)`) name, or `nil`.
    public static func resolveTag(named name: String) -> Tag? {
        if let tag = DataDictionary.tag(forKeyword: name) { return tag }
        let hex = name.filter { $0 != "(" && $0 != ")" && $0 != "," }
        guard hex.count == 8, let raw = UInt32(hex, radix: 16) else { return nil }
        return Tag(raw)
    }

    /// The data element, values encoded for the VR (binary numbers little endian, text padded to even length).
    public func element() throws(DICOMwebClientError) -> DataElement {
        var bytes: [UInt8] = []
        func bad(_ value: String) -> DICOMwebClientError {
            DICOMwebClientError("\(DataDictionary.keyword(for: tag) ?? "\(tag)"): \(value) is not a valid \(vr) value")
        }
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        switch vr {
        case .SQ:
            throw DICOMwebClientError("sequences cannot be set with -m; put them in a metadata file")
        case .OB, .OW, .OF, .OD, .OL, .OV, .UN:
            throw DICOMwebClientError("binary \(vr) values cannot be set with -m; put them in a metadata file")
        case .US, .SS, .UL, .SL, .UV, .SV:
            for v in values {
                switch vr {
                case .US: guard let n = UInt16(v) else { throw bad(v) }; append(n)
                case .SS: guard let n = Int16(v) else { throw bad(v) }; append(n)
                case .UL: guard let n = UInt32(v) else { throw bad(v) }; append(n)
                case .SL: guard let n = Int32(v) else { throw bad(v) }; append(n)
                case .UV: guard let n = UInt64(v) else { throw bad(v) }; append(n)
                default: guard let n = Int64(v) else { throw bad(v) }; append(n)
                }
            }
        case .FL, .FD:
            for v in values {
                guard let d = Double(v) else { throw bad(v) }
                if vr == .FL { append(Float(d).bitPattern) } else { append(d.bitPattern) }
            }
        case .AT:
            for v in values {
                guard let t = Self.resolveTag(named: v) else { throw bad(v) }
                append(t.group)
                append(t.element)
            }
        default:
            for v in values {
                switch vr {
                case .IS: guard Int(v.trimmingSpaces) != nil else { throw bad(v) }
                case .DS: guard Double(v.trimmingSpaces) != nil else { throw bad(v) }
                case .UI: guard !v.isEmpty, v.allSatisfy({ $0.isNumber || $0 == "." }) else { throw bad(v) }
                default: break
                }
            }
            bytes = Array(values.joined(separator: "\\").utf8)
            if bytes.count % 2 == 1 { bytes.append(vr == .UI ? 0 : 0x20) }
        }
        return DataElement(tag, vr, bytes: bytes)
    }

    /// Whether any value has characters outside ASCII (the data set then needs a Specific Character Set).
    public var needsUnicode: Bool { values.contains { !$0.utf8.allSatisfy { $0 < 0x80 } } }
}
