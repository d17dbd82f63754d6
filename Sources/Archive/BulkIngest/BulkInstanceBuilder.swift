import DICOMBinary
import DICOMCore
import DICOMweb

/// Builds a Part 10 instance from a STOW-RS "metadata and bulk data" request: one data set of metadata
/// (PS3.18 §10.5.1.2.2, §F.2.6 BulkDataURI) and the bulk data parts it references (PS3.18 §8.6.1.2).
///
/// What each media type becomes:
/// - Pixel Data (7FE0,0010): `image/jpeg`, `image/jp2`, `image/jphc` (and `image/j2c`, `image/jph`) →
///   encapsulated pixel data in the transfer syntax the bit stream determines (``JPEGHeader``,
///   ``JPEG2000Header``); `image/png` → native pixel data (``PNGDecoder``); `video/mpeg`, `video/mp4` →
///   encapsulated video (``MPEG2VideoHeader``, ``MP4VideoHeader``); `application/octet-stream` → native pixel
///   data as sent.
/// - Encapsulated Document (0042,0011): `application/pdf`, `text/xml` (CDA), `model/stl`
///   (``EncapsulatedDocumentIngest``), or `application/octet-stream`.
/// - Any other element, at any depth: `application/octet-stream`, the raw value bytes. Values inside sequences
///   are read into memory (at most ``maximumNestedBulkLength`` bytes each); top-level values are streamed.
///
/// A part's `transfer-syntax` parameter can pick a compatible transfer syntax (``TransferSyntaxChoice``).
/// Values the content determines (Rows, Columns, bit depth, …) are filled in when absent and corrected, with a
/// warning, when they contradict it. SOP Class, SOP Instance, Study and Series Instance UIDs must be present
/// (the SOP Class may come from an encapsulated document's media type); UIDs are never invented.
public enum BulkInstanceBuilder {
    /// The largest bulk value read into memory for an element nested in a sequence.
    public static let maximumNestedBulkLength: UInt64 = 16 << 20

    /// Resolves every BulkDataURI in `metadata` to a part, fills in what the bulk content determines, and
    /// writes a Part 10 file to `output` (an empty scratch file), streaming part content in chunks of at most
    /// 1 MiB. On failure the output holds nothing usable. With `requiresStudy` false (non-patient instances, PS3.18 §12), the Study and
    /// Series Instance UIDs may be absent.
    public static func build(
        metadata: DataSet, parts: [BulkDataPart], output: any ScratchFile, requiresStudy: Bool = true
    ) throws(BulkIngestError) -> BuiltInstance {
        var files: [BulkInputFile] = []
        for (i, part) in parts.enumerated() {
            files.append(try BulkInputFile(part.file))
            guard files[i].size == part.length else {
                throw BulkIngestError(
                    .io, "part \(i + 1): \(part.file.name) holds \(files[i].size) bytes, not \(part.length)")
            }
        }
        return try build(metadata, parts, files, output, requiresStudy)
    }

    private static func build(
        _ metadata: DataSet, _ parts: [BulkDataPart], _ files: [BulkInputFile], _ output: any ScratchFile,
        _ requiresStudy: Bool
    ) throws(BulkIngestError) -> BuiltInstance {
        let resolver = BulkDataURIResolver(parts: parts)
        var editor = AttributeEditor(metadata.withoutFileMeta)
        if metadata.contains(where: { $0.tag.isFileMeta }) {
            editor.warn(nil, "file meta elements in the metadata were ignored")
        }
        var used = Set<Int>()
        var streamed: [Tag: StreamedValue] = [:]
        var transferSyntax = TransferSyntax.explicitVRLittleEndian
        for element in metadata.withoutFileMeta {
            switch element.value {
            case .bulk(let reference):
                let indices = try resolve(reference, element.tag, resolver)
                used.formUnion(indices)
                let value: StreamedValue
                if element.tag == .pixelData {
                    (value, transferSyntax) = try PixelDataIngest.ingest(
                        element: element, indices: indices, parts: parts, files: files, editor: &editor)
                } else if element.tag == .encapsulatedDocument {
                    guard indices.count == 1 else {
                        throw BulkIngestError(
                            .invalidBulkContent, "several parts for one document", tag: element.tag)
                    }
                    value = try EncapsulatedDocumentIngest.ingest(
                        part: indices[0], parts: parts, files: files, editor: &editor)
                } else {
                    try requireOctetStream(indices, parts, element.tag)
                    value = .native(
                        vr: element.vr, indices.map { FileRange(part: $0, offset: 0, length: files[$0].size) })
                }
                streamed[element.tag] = value
            case .sequence(let items):
                var resolved: [DataSet] = []
                for item in items { resolved.append(try loadNested(item, resolver, parts, files, &used)) }
                if resolved != items { editor.dataSet.set(DataElement(element.tag, items: resolved)) }
            default: break
            }
        }
        for (i, part) in parts.enumerated() where !used.contains(i) {
            editor.warn(nil, "part \(i + 1) (\(part.contentLocation ?? "no Content-Location")) is not referenced")
        }
        for (tag, name) in [
            (Tag.sopClassUID, "SOP Class UID"), (.sopInstanceUID, "SOP Instance UID"),
            (.studyInstanceUID, "Study Instance UID"), (.seriesInstanceUID, "Series Instance UID"),
        ] where editor.dataSet.string(tag) == nil && (requiresStudy || tag == .sopClassUID || tag == .sopInstanceUID) {
            throw BulkIngestError(.missingAttribute, "\(name) is required", tag: tag)
        }
        let (dataSet, fileMeta, size) = try Part10BulkWriter.write(
            dataSet: editor.dataSet, streamed: streamed, files: files, transferSyntax: transferSyntax,
            to: output)
        return BuiltInstance(
            dataSet: dataSet, fileMeta: fileMeta, transferSyntax: transferSyntax, warnings: editor.warnings,
            fileSize: size)
    }

    private static func resolve(
        _ reference: BulkDataReference, _ tag: Tag, _ resolver: BulkDataURIResolver
    ) throws(BulkIngestError) -> [Int] {
        guard let uri = reference.uri else {
            throw BulkIngestError(.unresolvedBulkDataURI, "a bulk value without a BulkDataURI", tag: tag)
        }
        do {
            return try resolver.resolve(uri)
        } catch {
            var e = error
            e.tag = tag
            throw e
        }
    }

    private static func requireOctetStream(
        _ indices: [Int], _ parts: [BulkDataPart], _ tag: Tag
    )
        throws(BulkIngestError)
    {
        for i in indices where parts[i].mediaType.essence != "application/octet-stream" {
            throw BulkIngestError(
                .unsupportedMediaType,
                "\(parts[i].mediaType.essence) can only be stored in Pixel Data or Encapsulated Document; "
                    + "other elements take application/octet-stream", tag: tag)
        }
    }

    /// `item` with its bulk values (at any depth) read from their octet-stream parts into memory.
    private static func loadNested(
        _ item: DataSet, _ resolver: BulkDataURIResolver, _ parts: [BulkDataPart], _ files: [BulkInputFile],
        _ used: inout Set<Int>
    ) throws(BulkIngestError) -> DataSet {
        var result = item
        for element in item {
            switch element.value {
            case .bulk(let reference):
                let indices = try resolve(reference, element.tag, resolver)
                try requireOctetStream(indices, parts, element.tag)
                used.formUnion(indices)
                var bytes: [UInt8] = []
                for i in indices {
                    guard UInt64(bytes.count) + files[i].size <= maximumNestedBulkLength else {
                        throw BulkIngestError(
                            .invalidBulkContent, "a bulk value inside a sequence is larger than 16 MiB",
                            tag: element.tag)
                    }
                    bytes += try files[i].readExactly(at: 0, count: Int(files[i].size), what: "bulk data part")
                }
                result.set(DataElement(element.tag, element.vr, bytes: bytes))
            case .sequence(let items):
                var resolved: [DataSet] = []
                for nested in items { resolved.append(try loadNested(nested, resolver, parts, files, &used)) }
                result.set(DataElement(element.tag, items: resolved))
            default: break
            }
        }
        return result
    }
}
