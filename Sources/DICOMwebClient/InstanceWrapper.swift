import DICOMBinary
import DICOMCore
import DICOMDictionary
import DICOMJSON
import DICOMXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns non-DICOM files (JPEG, PNG, MPEG-2, MP4, PDF, CDA, STL) into STOW-RS "metadata and bulk data"
/// requests (PS3.18 §10.5.1.2.2): a DICOM JSON metadata part whose Pixel Data or Encapsulated Document is a
/// BulkDataURI naming the file's part by Content-Location. The server builds the instance and fills in what
/// the content determines (rows, columns, transfer syntax, document MIME type).
///
/// The metadata starts from an optional template (a DICOM JSON or XML file), then the `-m` assignments. What
/// is still missing is filled in: SOP Class from the file kind, Study and Series Instance UIDs shared by
/// every file one wrapper wraps (one series per kind group: images, videos, documents), a new SOP Instance
/// UID, Modality, Series and Instance Number.
public struct InstanceWrapper: Sendable {
    /// The template plus the assignments.
    public let base: DataSet
    /// Whether the template or an assignment names a SOP Instance UID, which then belongs to the first file
    /// wrapped only (see ``wrap(path:size:kind:location:)``).
    public var namesInstance: Bool { base.contains(Tag.sopInstanceUID) }
    private let studyUID: String
    private var seriesUIDs: [Int: String] = [:]
    private var instanceNumbers: [Int: Int] = [:]
    private var wrapped = 0

    /// Creates a wrapper from a template data set and assignments (later ones win).
    public init(template: DataSet = DataSet(), assignments: [AttributeAssignment] = []) throws(DICOMwebClientError) {
        var base = template.withoutFileMeta
        for assignment in assignments { base.set(try assignment.element()) }
        if assignments.contains(where: \.needsUnicode) {
            // Assigned text is UTF-8; a template that declares another repertoire cannot take it.
            if let declared = base.string(Tag.specificCharacterSet), declared != "ISO_IR 192" {
                throw DICOMwebClientError(
                    "-m values outside ASCII need Specific Character Set ISO_IR 192, but the metadata declares \(declared)"
                )
            }
            base.set(DataElement(Tag.specificCharacterSet, .CS, bytes: Array("ISO_IR 192".utf8)))
        }
        self.base = base
        self.studyUID = base.string(Tag.studyInstanceUID) ?? UIDGenerator.make()
    }

    /// Reads a metadata template: a DICOM JSON object (or an array holding one) or a Native DICOM Model XML
    /// document (PS3.19 Annex A), chosen by the first non-blank character.
    public static func template(path: String) throws -> DataSet {
        guard let bytes = InstanceFileInfo.head(path, count: 16 << 20) else {
            throw DICOMwebClientError("cannot read \(path)")
        }
        guard let first = bytes.first(where: { $0 > 0x20 }) else { throw DICOMwebClientError("\(path) is empty") }
        do {
            switch first {
            case UInt8(ascii: "<"): return try NativeXMLDecoder.decode(bytes)
            case UInt8(ascii: "["):
                let sets = try DICOMJSONDecoder.decodeArray(bytes)
                guard sets.count == 1 else {
                    throw DICOMwebClientError("\(path) must hold one data set, not \(sets.count)")
                }
                return sets[0]
            default: return try DICOMJSONDecoder.decode(bytes)
            }
        } catch let error as DICOMwebClientError {
            throw error
        } catch {
            throw DICOMwebClientError("\(path): \(error)")
        }
    }

    /// The metadata and the bulk data part that store `path` as an instance of `kind`. `location` is the bulk
    /// part's Content-Location, unique within one request. Send the metadata of a request's instances as one
    /// ``metadataPart(_:)`` ahead of their bulk parts.
    public mutating func wrap(
        path: String, size: Int64, kind: WrappedFileKind, location: String
    ) -> (
        metadata: DataSet, bulk: StowPart, sopInstanceUID: String
    ) {
        var set = base
        let group = kind.seriesGroup
        let series = base.string(Tag.seriesInstanceUID) ?? seriesUIDs[group] ?? UIDGenerator.make()
        seriesUIDs[group] = series
        let number = (instanceNumbers[group] ?? 0) + 1
        instanceNumbers[group] = number
        // A SOP Instance UID from the template names one instance: the first file wrapped. Later files get
        // UIDs of their own rather than overwrite it (the store command refuses that case up front).
        let sop = wrapped == 0 ? base.string(Tag.sopInstanceUID) ?? UIDGenerator.make() : UIDGenerator.make()
        wrapped += 1
        set.remove(Tag.sopInstanceUID)
        func fill(_ tag: Tag, _ vr: VR, _ text: String) {
            guard !set.contains(tag) else { return }
            var bytes = Array(text.utf8)
            if bytes.count % 2 == 1 { bytes.append(vr == .UI ? 0 : 0x20) }
            set.set(DataElement(tag, vr, bytes: bytes))
        }
        fill(Tag.sopClassUID, .UI, kind.sopClassUID)
        fill(Tag.sopInstanceUID, .UI, sop)
        fill(Tag.studyInstanceUID, .UI, studyUID)
        fill(Tag.seriesInstanceUID, .UI, series)
        fill(Tag.modality, .CS, kind.defaultModality)
        fill(Tag.seriesNumber, .IS, String(group + 1))
        fill(Tag.instanceNumber, .IS, String(number))
        let bulkTag = kind.isPixelData ? Tag.pixelData : Tag.encapsulatedDocument
        set.set(DataElement(tag: bulkTag, vr: .OB, value: .bulk(BulkDataReference(uri: location))))
        return (
            set,
            StowPart(contentType: kind.mediaType, contentLocation: location, content: .file(path: path, length: size)),
            sop
        )
    }

    /// One `application/dicom+json` part holding the metadata of several instances as a DICOM JSON array
    /// (PS3.18 §10.5.1.2.2, §F.2).
    public static func metadataPart(_ dataSets: [DataSet]) -> StowPart {
        let json = "[" + dataSets.map { DICOMJSONEncoder.encode($0) }.joined(separator: ",") + "]"
        return StowPart(contentType: .dicomJSON, content: .bytes(Array(json.utf8)))
    }
}
