/// A data set could not be encoded.
public struct DICOMWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(message: String) { self.message = message }

    public var description: String { message }
}

/// Encodes data sets and Part 10 files (PS3.5 §7, PS3.10 §7).
///
/// Sequences and items are written with undefined length, values are padded to even length with their
/// VR's padding byte, encapsulated pixel data is written item for item as it was read, and the file meta
/// group length is computed. Explicit VR little endian is the default.
public enum DICOMWriter {
    /// Lantern's implementation class UID (PS3.7 §D.3.3.2), under the UUID-derived root 2.25 (PS3.5 §B.2).
    public static let implementationClassUID = "2.25.208657428469306012394702617386455396361"
    /// Lantern's implementation version name.
    public static let implementationVersionName = "LANTERN_0_1"

    /// A complete Part 10 file: preamble, `DICM`, file meta (completed from the data set) and the data set.
    public static func part10(
        _ dataSet: DataSet, fileMeta: DataSet = DataSet(), transferSyntax: TransferSyntax = .explicitVRLittleEndian
    ) throws(DICOMWriteError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 128)
        out.append(contentsOf: [0x44, 0x49, 0x43, 0x4D])
        let meta = completedFileMeta(fileMeta, for: dataSet, transferSyntax: transferSyntax)
        try encode(meta, explicitVR: true, bigEndian: false, into: &out)
        var body: [UInt8] = []
        try encode(dataSet.withoutFileMeta, transferSyntax: transferSyntax, into: &body)
        out.append(contentsOf: transferSyntax.isDeflated ? try Deflater.compress(body) : body)
        return out
    }

    /// The file meta information for `dataSet`: `fileMeta`'s elements, the transfer syntax, SOP class and
    /// instance taken from the data set when absent, Lantern's implementation identity, and the group length.
    public static func completedFileMeta(
        _ fileMeta: DataSet, for dataSet: DataSet, transferSyntax: TransferSyntax
    )
        -> DataSet
    {
        var meta = fileMeta
        meta.remove(.fileMetaInformationGroupLength)
        if !meta.contains(Tag.fileMetaInformationVersion) {
            meta.set(DataElement(Tag.fileMetaInformationVersion, .OB, bytes: [0, 1]))
        }
        if !meta.contains(Tag.mediaStorageSOPClassUID), let v = dataSet[Tag.sopClassUID]?.value.bytes {
            meta.set(DataElement(Tag.mediaStorageSOPClassUID, .UI, bytes: v))
        }
        if !meta.contains(Tag.mediaStorageSOPInstanceUID), let v = dataSet[Tag.sopInstanceUID]?.value.bytes {
            meta.set(DataElement(Tag.mediaStorageSOPInstanceUID, .UI, bytes: v))
        }
        meta.set(DataElement(.transferSyntaxUID, .UI, bytes: Array(transferSyntax.uid.utf8)))
        if !meta.contains(Tag.implementationClassUID) {
            meta.set(DataElement(Tag.implementationClassUID, .UI, bytes: Array(implementationClassUID.utf8)))
        }
        if !meta.contains(Tag.implementationVersionName) {
            meta.set(DataElement(Tag.implementationVersionName, .SH, bytes: Array(implementationVersionName.utf8)))
        }
        var body: [UInt8] = []
        // Group length counts every meta element after itself; encoding cannot fail for these values.
        try? encode(meta, explicitVR: true, bigEndian: false, into: &body)
        let n = UInt32(body.count)
        meta.set(
            DataElement(
                .fileMetaInformationGroupLength, .UL,
                bytes: [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]))
        return meta
    }

    /// Encodes a data set (no file meta, no deflate) in `transferSyntax`'s VR and byte order.
    public static func encode(
        _ dataSet: DataSet, transferSyntax: TransferSyntax, into out: inout [UInt8]
    )
        throws(DICOMWriteError)
    {
        try encode(dataSet, explicitVR: transferSyntax.isExplicitVR, bigEndian: transferSyntax.isBigEndian, into: &out)
    }

    /// Encodes a data set's elements with the given VR encoding and byte order.
    public static func encode(
        _ dataSet: DataSet, explicitVR: Bool, bigEndian: Bool, into out: inout [UInt8]
    )
        throws(DICOMWriteError)
    {
        for element in dataSet {
            try encode(element, explicitVR: explicitVR, bigEndian: bigEndian, into: &out)
        }
    }

    private static func encode(
        _ element: DataElement, explicitVR: Bool, bigEndian: Bool, into out: inout [UInt8]
    )
        throws(DICOMWriteError)
    {
        let tag = element.tag
        switch element.value {
        case .bytes(var bytes):
            var vr = element.vr
            if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
            if explicitVR && !vr.hasLongExplicitLength && bytes.count > 0xFFFF { vr = .UN }
            if bigEndian {
                let swap = ByteOrder.swapWordSize(for: element.vr)
                if swap > 1 { bytes = ByteOrder.swapped(bytes, wordSize: swap) }
            }
            header(tag, vr, UInt32(bytes.count), explicitVR, bigEndian, &out)
            out.append(contentsOf: bytes)
        case .sequence(let items):
            header(tag, .SQ, UInt32.max, explicitVR, bigEndian, &out)
            for item in items {
                putTag(.item, bigEndian, &out)
                put32(UInt32.max, bigEndian, &out)
                try encode(item, explicitVR: explicitVR, bigEndian: bigEndian, into: &out)
                putTag(.itemDelimitation, bigEndian, &out)
                put32(0, bigEndian, &out)
            }
            putTag(.sequenceDelimitation, bigEndian, &out)
            put32(0, bigEndian, &out)
        case .encapsulated(let pixels):
            header(tag, element.vr == .OW ? .OW : .OB, UInt32.max, explicitVR, bigEndian, &out)
            for fragment in [pixels.basicOffsetTable] + pixels.fragments {
                putTag(.item, bigEndian, &out)
                let padded = fragment.count % 2 == 1 ? fragment + [0] : fragment
                put32(UInt32(padded.count), bigEndian, &out)
                out.append(contentsOf: padded)
            }
            putTag(.sequenceDelimitation, bigEndian, &out)
            put32(0, bigEndian, &out)
        case .bulk:
            throw DICOMWriteError(message: "\(tag) refers to bulk data that is not loaded")
        }
    }

    static func header(
        _ tag: Tag, _ vr: VR, _ length: UInt32, _ explicitVR: Bool, _ bigEndian: Bool, _ out: inout [UInt8]
    ) {
        putTag(tag, bigEndian, &out)
        if explicitVR {
            let (a, b) = vr.bytes
            out.append(a)
            out.append(b)
            if vr.hasLongExplicitLength {
                out.append(0)
                out.append(0)
                put32(length, bigEndian, &out)
            } else {
                put16(UInt16(length), bigEndian, &out)
            }
        } else {
            put32(length, bigEndian, &out)
        }
    }

    @inline(__always) static func putTag(_ tag: Tag, _ bigEndian: Bool, _ out: inout [UInt8]) {
        put16(tag.group, bigEndian, &out)
        put16(tag.element, bigEndian, &out)
    }

    @inline(__always) static func put16(_ v: UInt16, _ bigEndian: Bool, _ out: inout [UInt8]) {
        if bigEndian {
            out.append(UInt8(v >> 8))
            out.append(UInt8(v & 0xFF))
        } else {
            out.append(UInt8(v & 0xFF))
            out.append(UInt8(v >> 8))
        }
    }

    @inline(__always) static func put32(_ v: UInt32, _ bigEndian: Bool, _ out: inout [UInt8]) {
        if bigEndian {
            put16(UInt16(v >> 16), true, &out)
            put16(UInt16(v & 0xFFFF), true, &out)
        } else {
            put16(UInt16(v & 0xFFFF), false, &out)
            put16(UInt16(v >> 16), false, &out)
        }
    }
}
