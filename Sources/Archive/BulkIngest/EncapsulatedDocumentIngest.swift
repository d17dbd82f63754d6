import DICOMCore

/// Turns a PDF, CDA or STL part referenced by Encapsulated Document (0042,0011) into the Encapsulated Document
/// Module (PS3.3 §C.24.2) of its storage SOP class (PS3.18 §10.5.1.2.2; PS3.4 Annex B):
///
/// | media type        | SOP class (filled in when absent)                    | MIME Type (0042,0012) |
/// |-------------------|------------------------------------------------------|-----------------------|
/// | `application/pdf` | Encapsulated PDF Storage `1.2.840.10008.5.1.4.1.1.104.1` | `application/pdf` |
/// | `text/xml`        | Encapsulated CDA Storage `1.2.840.10008.5.1.4.1.1.104.2` | `text/xml`        |
/// | `model/stl`       | Encapsulated STL Storage `1.2.840.10008.5.1.4.1.1.104.3` | `model/stl`       |
///
/// The value is OB, padded with 0x00 to even length; Encapsulated Document Length (0042,0015), of the
/// Encapsulated Document Module (PS3.3 §C.24.2), records the length without the padding byte, so the original
/// file can be given back byte for byte. It is set for every document, whatever its type in the SOP class.
enum EncapsulatedDocumentIngest {
    private struct Kind: Sendable {
        var sopClass: String
        var mime: String
        /// Checks the first bytes of the content.
        var looksValid: @Sendable ([UInt8]) -> Bool
    }

    private static let kinds: [String: Kind] = [
        "application/pdf": Kind(
            sopClass: "1.2.840.10008.5.1.4.1.1.104.1", mime: "application/pdf",
            looksValid: { $0.starts(with: Array("%PDF-".utf8)) }),
        "text/xml": Kind(
            sopClass: "1.2.840.10008.5.1.4.1.1.104.2", mime: "text/xml",
            looksValid: { bytes in
                var b = bytes[...]
                if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
                return b.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
            }),
        "model/stl": Kind(
            sopClass: "1.2.840.10008.5.1.4.1.1.104.3", mime: "model/stl", looksValid: { !$0.isEmpty }),
    ]

    /// Whether `essence` is a document media type.
    static func handles(_ essence: String) -> Bool { kinds[essence] != nil }

    /// The value for Encapsulated Document referencing `part`, with the module's attributes applied.
    static func ingest(
        part index: Int, parts: [BulkDataPart], files: [BulkInputFile], editor: inout AttributeEditor
    ) throws(BulkIngestError) -> StreamedValue {
        let essence = parts[index].mediaType.essence
        let file = files[index]
        if let kind = kinds[essence] {
            let head = try file.read(at: 0, count: 64)
            guard kind.looksValid(head) else {
                throw BulkIngestError(
                    .invalidBulkContent, "the part is not \(essence) content", tag: .encapsulatedDocument)
            }
            if let given = editor.dataSet.string(.sopClassUID), given != kind.sopClass {
                editor.warn(.sopClassUID, "\(given) is not the storage class for \(essence) (\(kind.sopClass))")
            }
            editor.fill(DataElement(.sopClassUID, .UI, bytes: Array(kind.sopClass.utf8)))
            let mime = DataElement(.mimeTypeOfEncapsulatedDocument, .LO, bytes: Array(kind.mime.utf8))
            if let given = editor.dataSet.string(.mimeTypeOfEncapsulatedDocument), given != kind.mime {
                editor.warn(.mimeTypeOfEncapsulatedDocument, "corrected from \(given) to \(kind.mime)")
                editor.dataSet.set(mime)
            }
            editor.fill(mime)
        } else if essence != "application/octet-stream" {
            throw BulkIngestError(
                .unsupportedMediaType, "\(essence) cannot be stored as an Encapsulated Document",
                tag: .encapsulatedDocument)
        }
        guard file.size <= 0xFFFF_FFFE else {
            throw BulkIngestError(
                .invalidBulkContent, "the document is larger than a DICOM value can hold", tag: .encapsulatedDocument)
        }
        let length = UInt32(file.size)
        let element = DataElement(
            .encapsulatedDocumentLength, .UL,
            bytes: [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)])
        if let given = editor.dataSet[.encapsulatedDocumentLength], given != element {
            editor.warn(.encapsulatedDocumentLength, "corrected to \(length), the part's length")
        }
        editor.dataSet.set(element)
        return .native(vr: .OB, [FileRange(part: index, offset: 0, length: file.size)])
    }
}
