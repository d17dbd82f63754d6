import DICOMCore
import DICOMweb

/// The categories of the Non-Patient Instance Service (PS3.18 §12.1.1), each a resource `/{npi-name}` holding
/// instances of its storage SOP Classes (PS3.4 Annex GG), searched with the keys of its PS3.4 query model.
public enum NonPatientCategory: String, Sendable, Hashable, CaseIterable {
    /// Color Palettes (PS3.4 Annex X).
    case colorPalettes = "color-palettes"
    /// Defined Procedure Protocols (PS3.4 Annex HH).
    case definedProcedureProtocols = "defined-procedure-protocols"
    /// Hanging Protocols (PS3.4 Annex U).
    case hangingProtocols = "hanging-protocols"
    /// Implant Templates: generic, assembly and group templates (PS3.4 Annex BB).
    case implantTemplates = "implant-templates"
    /// Inventories (PS3.4 Annex JJ).
    case inventories = "inventories"

    /// The storage SOP Classes the category holds (PS3.6 Table A-1; ``DICOMweb/NonPatientResources``).
    public var sopClassUIDs: Set<String> { NonPatientResources.sopClasses(of: rawValue) }

    /// The category whose storage SOP Classes include `sopClassUID`.
    public init?(sopClassUID: String) {
        guard let found = Self.allCases.first(where: { $0.sopClassUIDs.contains(sopClassUID) }) else { return nil }
        self = found
    }

    /// What a search returns for each match unless `includefield=all`: the matching (R, U) and Type 1 and 2
    /// return keys of the category's query model (PS3.4 Tables X.6-1, HH.6-1, U.6-1, BB.6-1 to BB.6-3; the
    /// Inventory keys of PS3.17 YYYY.4), with Specific Character Set, SOP Class UID and SOP Instance UID.
    public var returnTags: [Tag] {
        let common: [UInt32] = [0x0008_0005, 0x0008_0016, 0x0008_0018]
        let keys: [UInt32] =
            switch self {
            case .colorPalettes:
                [0x0070_0080, 0x0070_0081, 0x0070_0084, 0x0070_0087]
            case .hangingProtocols:
                [
                    0x0072_0002, 0x0072_0004, 0x0072_0006, 0x0072_0008, 0x0072_000A, 0x0072_000C, 0x0072_000E,
                    0x0072_0010, 0x0072_0014, 0x0072_0100, 0x0072_0102,
                ]
            case .definedProcedureProtocols:
                [
                    0x0040_A07C, 0x0008_0220, 0x0018_1030, 0x0018_9906, 0x0018_9907, 0x0018_9908, 0x0018_9909,
                    0x0018_990A, 0x0018_990E, 0x0070_0084, 0x0008_0012, 0x0008_0013, 0x0012_0010, 0x0012_0020,
                    0x0008_0221, 0x0018_9912, 0x0008_2218, 0x0008_2228,
                ]
            case .implantTemplates:
                [
                    // Generic Implant Template (BB.6-1)
                    0x0008_0070, 0x0022_1095, 0x0068_6210, 0x0022_1097, 0x0068_6222, 0x0068_6224, 0x0068_6225,
                    0x0068_6226, 0x0068_6230, 0x0068_62A0, 0x0068_63A0, 0x0068_63A4,
                    // Implant Assembly Template (BB.6-2)
                    0x0076_0001, 0x0076_0020, 0x0076_0008, 0x0076_000C, 0x0076_000E, 0x0076_0030,
                    // Implant Template Group (BB.6-3)
                    0x0078_0001, 0x0078_0010, 0x0078_0020, 0x0078_0026,
                ]
            case .inventories:
                [0x0008_0023, 0x0008_0033, 0x0008_0400, 0x0008_0401, 0x0008_0403, 0x0008_0426, 0x0008_0428]
            }
        return (common + keys).map { Tag($0) }
    }
}

/// Where an instance being stored belongs: which checks it gets and where the index keeps it.
public enum IngestTarget: Sendable, Hashable {
    /// The studies (PS3.18 §10.5). `study` is the study of the target resource (`POST /studies/{study}`),
    /// which every instance must belong to.
    case studies(study: String?)
    /// A non-patient category (PS3.18 §12.5): the instance needs no patient, study or series, but a SOP
    /// Class of the category. `uid` is the instance of the target resource (`POST /{npi-name}/{uid}`).
    case nonPatient(NonPatientCategory, uid: String?)

    /// The non-patient category, if any.
    public var category: NonPatientCategory? {
        if case .nonPatient(let category, _) = self { return category }
        return nil
    }
}
