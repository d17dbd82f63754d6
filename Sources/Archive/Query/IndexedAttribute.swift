import DICOMCore
import DICOMweb

/// An attribute every ``IndexStore`` keeps searchable on its own, beside the attribute sets: the matching keys
/// of the Study Root query model an archive is asked most (PS3.4 §C.6.2.1, PS3.18 §10.6.1).
///
/// The value of an indexed attribute for an entity is the attribute's values decoded to Unicode and joined by
/// `\`, as stored (see ``IndexCandidate/indexedValues``). For instances stored into a study of another patient
/// (``PatientConflictPolicy/accept``), ``patientID`` and ``patientName`` are the instance's own at the instance
/// level, the study's at the study and series levels.
public enum IndexedAttribute: String, Sendable, Hashable, CaseIterable {
    /// Study Instance UID (0020,000D).
    case studyInstanceUID
    /// Series Instance UID (0020,000E).
    case seriesInstanceUID
    /// SOP Instance UID (0008,0018).
    case sopInstanceUID
    /// SOP Class UID (0008,0016).
    case sopClassUID
    /// Patient ID (0010,0020).
    case patientID
    /// Patient's Name (0010,0010).
    case patientName
    /// Study Date (0008,0020).
    case studyDate
    /// Study Time (0008,0030).
    case studyTime
    /// Accession Number (0008,0050).
    case accessionNumber
    /// Study Description (0008,1030).
    case studyDescription
    /// Modality (0008,0060), the first value.
    case modality
    /// Modalities in Study (0008,0061), computed: the distinct Modality values of the study's series, sorted.
    case modalitiesInStudy

    /// The attribute's tag.
    public var tag: Tag {
        switch self {
        case .studyInstanceUID: Tag.studyInstanceUID
        case .seriesInstanceUID: Tag.seriesInstanceUID
        case .sopInstanceUID: Tag.sopInstanceUID
        case .sopClassUID: Tag.sopClassUID
        case .patientID: Tag.patientID
        case .patientName: Tag.patientName
        case .studyDate: Tag.studyDate
        case .studyTime: Tag.studyTime
        case .accessionNumber: Tag.accessionNumber
        case .studyDescription: Tag.studyDescription
        case .modality: Tag.modality
        case .modalitiesInStudy: Tag.modalitiesInStudy
        }
    }

    /// The level the attribute lives at: searches of that level and below can match it.
    public var level: QIDOLevel {
        switch self {
        case .studyInstanceUID, .patientID, .patientName, .studyDate, .studyTime, .accessionNumber,
            .studyDescription, .modalitiesInStudy:
            .study
        case .seriesInstanceUID, .modality: .series
        case .sopInstanceUID, .sopClassUID: .instance
        }
    }

    /// The attribute's VR (PS3.6).
    public var vr: VR {
        switch self {
        case .studyInstanceUID, .seriesInstanceUID, .sopInstanceUID, .sopClassUID: .UI
        case .patientID, .studyDescription: .LO
        case .patientName: .PN
        case .studyDate: .DA
        case .studyTime: .TM
        case .accessionNumber: .SH
        case .modality, .modalitiesInStudy: .CS
        }
    }

    /// Whether the attribute is a UID the index always has (never empty).
    var isMandatoryUID: Bool { vr == .UI }

    /// The indexed attribute of a top-level `tag`, if it is one.
    public init?(tag: Tag) {
        guard let found = Self.byTag[tag] else { return nil }
        self = found
    }

    private static let byTag: [Tag: IndexedAttribute] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.tag, $0) })
}

extension QIDOLevel {
    /// 0 for studies, 1 for series, 2 for instances.
    var depth: Int {
        switch self {
        case .study: 0
        case .series: 1
        case .instance: 2
        }
    }

    /// Whether an attribute living at `level` exists for entities of this level (at it or above it).
    func reaches(_ level: QIDOLevel) -> Bool { level.depth <= depth }
}
