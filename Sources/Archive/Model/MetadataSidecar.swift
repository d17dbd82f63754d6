/// The metadata document formats `/metadata` serves (PS3.18 §10.4.1.1.2 and §F.2; PS3.19).
public enum MetadataFormat: Sendable, Hashable {
    /// DICOM JSON.
    case json
    /// The native DICOM model (XML).
    case xml
}

/// Both metadata documents of an instance in one blob: one file per instance instead of two, which halves the
/// sidecar files an archive creates (creating a file costs more than writing a few kilobytes to it).
///
/// Layout: the 4 bytes `LNMD`, a format version byte (1), 3 zero bytes, the JSON length as 8 bytes little
/// endian, the JSON document, then the XML document to the end.
enum MetadataSidecar {
    static let magic: [UInt8] = Array("LNMD".utf8)
    static let headerLength = 16

    static func encode(json: [UInt8], xml: [UInt8]) -> [UInt8] {
        var out = magic + [1, 0, 0, 0]
        out.reserveCapacity(headerLength + json.count + xml.count)
        let n = UInt64(json.count)
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: n >> UInt64(shift))) }
        out += json
        out += xml
        return out
    }

    /// One document of a sidecar; `nil` when the sidecar is not one (short, other version, cut).
    static func document(_ format: MetadataFormat, in sidecar: [UInt8]) -> [UInt8]? {
        guard sidecar.count >= headerLength, Array(sidecar[0..<4]) == magic, sidecar[4] == 1 else { return nil }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(sidecar[8 + i]) << UInt64(8 * i) }
        guard n <= UInt64(sidecar.count - headerLength) else { return nil }
        let split = headerLength + Int(n)
        let document = format == .json ? Array(sidecar[headerLength..<split]) : Array(sidecar[split...])
        return document.isEmpty ? nil : document
    }
}
