import DICOMBinary
import DICOMCore

/// Writes a Part 10 file (PS3.10 §7.1: 128-byte preamble, `DICM`, file meta information) whose data set mixes
/// in-memory elements, encoded with ``DICOMWriter``, and streamed values copied from the parts' files in chunks
/// of at most 1 MiB. Only Explicit VR Little Endian data sets are written (every transfer syntax the builder
/// chooses is explicit VR little endian, PS3.5 §A.2, §A.4).
struct Part10BulkWriter {
    /// Writes `dataSet` (whose elements in `streamed` hold placeholders) to `output` and returns the data set with
    /// each streamed value replaced by a reference to where it lies in the file, the file meta, and the size.
    static func write(
        dataSet: DataSet, streamed: [Tag: StreamedValue], files: [BulkInputFile], transferSyntax: TransferSyntax,
        to output: any ScratchFile
    ) throws(BulkIngestError) -> (DataSet, DataSet, UInt64) {
        var out = BulkOutputFile(output)
        let meta = DICOMWriter.completedFileMeta(DataSet(), for: dataSet, transferSyntax: transferSyntax)
        var head = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        try encode(meta, into: &head)
        try out.append(head)
        var result = dataSet
        var pending = DataSet()
        var buffer: [UInt8] = []
        for element in dataSet {
            guard let value = streamed[element.tag] else {
                pending.set(element)
                continue
            }
            if !pending.isEmpty {
                var bytes: [UInt8] = []
                try encode(pending, into: &bytes)
                try out.append(bytes)
                pending = DataSet()
            }
            let (offset, length) = try write(element.tag, value, files: files, to: &out, buffer: &buffer)
            result.set(
                DataElement(
                    tag: element.tag, vr: element.vr, value: .bulk(BulkDataReference(offset: offset, length: length))))
        }
        if !pending.isEmpty {
            var bytes: [UInt8] = []
            try encode(pending, into: &bytes)
            try out.append(bytes)
        }
        return (result, meta, out.position)
    }

    private static func encode(_ dataSet: DataSet, into bytes: inout [UInt8]) throws(BulkIngestError) {
        do {
            try DICOMWriter.encode(dataSet, explicitVR: true, bigEndian: false, into: &bytes)
        } catch {
            throw BulkIngestError(.invalidBulkContent, "cannot encode the metadata: \(error.message)")
        }
    }

    /// Writes one streamed element; returns the value's offset and (for native values) its padded length.
    private static func write(
        _ tag: Tag, _ value: StreamedValue, files: [BulkInputFile], to out: inout BulkOutputFile,
        buffer: inout [UInt8]
    ) throws(BulkIngestError) -> (UInt64, UInt64?) {
        switch value {
        case .native(var vr, let ranges):
            let length = value.unpaddedLength ?? 0
            let padded = length + (length & 1)
            guard padded <= 0xFFFF_FFFE else {
                throw BulkIngestError(.invalidBulkContent, "the value is longer than a DICOM value can be", tag: tag)
            }
            if !vr.hasLongExplicitLength && padded > 0xFFFF { vr = .UN }
            try out.append(header(tag, vr, UInt32(padded)))
            let offset = out.position
            for range in ranges {
                try out.copy(from: files[range.part], offset: range.offset, length: range.length, buffer: &buffer)
            }
            if length & 1 == 1 { try out.append([vr.paddingByte]) }
            return (offset, padded)
        case .encapsulated(let ranges):
            try out.append(header(tag, .OB, 0xFFFF_FFFF))
            let offset = out.position
            try out.append(item(0))  // empty Basic Offset Table (PS3.5 §A.4)
            for range in ranges {
                let odd = range.length & 1
                guard range.length + odd <= 0xFFFF_FFFE else { throw PixelDataIngest.fragmentTooLong(range.length) }
                try out.append(item(UInt32(range.length + odd)))
                try out.copy(from: files[range.part], offset: range.offset, length: range.length, buffer: &buffer)
                if odd == 1 { try out.append([0]) }
            }
            try out.append([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0])
            return (offset, nil)
        case .png(let decoder, let part, let vr):
            let length = decoder.outputLength
            let padded = length + (length & 1)
            guard padded <= 0xFFFF_FFFE else {
                throw BulkIngestError(.invalidBulkContent, "the decoded image is too large", tag: tag)
            }
            try out.append(header(tag, vr, UInt32(padded)))
            let offset = out.position
            try decoder.decode(files[part]) { (bytes, count) throws(BulkIngestError) in
                try out.append(bytes, count: count)
            }
            if length & 1 == 1 { try out.append([0]) }
            return (offset, padded)
        }
    }

    /// An explicit VR little endian element header (PS3.5 §7.1.2).
    static func header(_ tag: Tag, _ vr: VR, _ length: UInt32) -> [UInt8] {
        var bytes = le16(tag.group) + le16(tag.element)
        let (a, b) = vr.bytes
        bytes += [a, b]
        if vr.hasLongExplicitLength {
            bytes += [0, 0] + le32(length)
        } else {
            bytes += le16(UInt16(length))
        }
        return bytes
    }

    /// An item header (FFFE,E000) with `length`.
    static func item(_ length: UInt32) -> [UInt8] { [0xFE, 0xFF, 0x00, 0xE0] + le32(length) }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }
}
