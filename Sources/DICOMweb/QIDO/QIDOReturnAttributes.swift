/// The attributes a QIDO-RS search returns for every match unless `includefield` asks for more (PS3.18
/// §10.6.3.3, Tables 10.6.3-3 "Study Result Attributes", 10.6.3-4 "Series Result Attributes" and 10.6.3-5
/// "Instance Result Attributes").
public enum QIDOReturnAttributes {
    /// The default attributes of `level` alone, in the order of its table.
    public static func defaults(for level: QIDOLevel) -> [QIDOAttributePath] {
        switch level {
        case .study: study
        case .series: series
        case .instance: instance
        }
    }

    /// The default attributes of a search on `scope`: those of its level, plus, as PS3.18 §10.6.3.3 requires,
    /// the study attributes when the search is not within one study (`/series`, `/instances`) and the series
    /// attributes when an instance search is not within one series (`/instances`,
    /// `/studies/{study}/instances`).
    public static func defaults(for scope: QIDOScope) -> [QIDOAttributePath] {
        switch scope {
        case .allStudies: study
        case .seriesInStudy: series
        case .allSeries: unique(series + study)
        case .instancesInSeries: instance
        case .instancesInStudy: unique(instance + series)
        case .allInstances: unique(instance + series + study)
        }
    }

    /// `paths` without repetitions (SpecificCharacterSet, RetrieveURL, ... appear in several tables).
    static func unique(_ paths: [QIDOAttributePath]) -> [QIDOAttributePath] {
        var seen = Set<QIDOAttributePath>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// Table 10.6.3-3.
    private static let study: [QIDOAttributePath] = paths([
        [0x0008_0005],  // SpecificCharacterSet
        [0x0008_0020],  // StudyDate
        [0x0008_0030],  // StudyTime
        [0x0008_0050],  // AccessionNumber
        [0x0008_0056],  // InstanceAvailability
        [0x0008_0061],  // ModalitiesInStudy
        [0x0008_0090],  // ReferringPhysicianName
        [0x0008_0201],  // TimezoneOffsetFromUTC
        [0x0008_1190],  // RetrieveURL
        [0x0010_0010],  // PatientName
        [0x0010_0020],  // PatientID
        [0x0010_0030],  // PatientBirthDate
        [0x0010_0040],  // PatientSex
        [0x0020_000D],  // StudyInstanceUID
        [0x0020_0010],  // StudyID
        [0x0020_1206],  // NumberOfStudyRelatedSeries
        [0x0020_1208],  // NumberOfStudyRelatedInstances
    ])

    /// Table 10.6.3-4.
    private static let series: [QIDOAttributePath] = paths([
        [0x0008_0005],  // SpecificCharacterSet
        [0x0008_0060],  // Modality
        [0x0008_0201],  // TimezoneOffsetFromUTC
        [0x0008_103E],  // SeriesDescription
        [0x0008_1190],  // RetrieveURL
        [0x0020_000E],  // SeriesInstanceUID
        [0x0020_0011],  // SeriesNumber
        [0x0020_1209],  // NumberOfSeriesRelatedInstances
        [0x0040_0244],  // PerformedProcedureStepStartDate
        [0x0040_0245],  // PerformedProcedureStepStartTime
        [0x0040_0275, 0x0040_0009],  // RequestAttributesSequence > ScheduledProcedureStepID
        [0x0040_0275, 0x0040_1001],  // RequestAttributesSequence > RequestedProcedureID
    ])

    /// Table 10.6.3-5.
    private static let instance: [QIDOAttributePath] = paths([
        [0x0008_0005],  // SpecificCharacterSet
        [0x0008_0016],  // SOPClassUID
        [0x0008_0018],  // SOPInstanceUID
        [0x0008_0056],  // InstanceAvailability
        [0x0008_0201],  // TimezoneOffsetFromUTC
        [0x0008_1190],  // RetrieveURL
        [0x0020_0013],  // InstanceNumber
        [0x0028_0010],  // Rows
        [0x0028_0011],  // Columns
        [0x0028_0100],  // BitsAllocated
        [0x0028_0008],  // NumberOfFrames
    ])

    private static func paths(_ raw: [[UInt32]]) -> [QIDOAttributePath] {
        raw.map { QIDOAttributePath(known: $0.map(Tag.init(rawValue:))) }
    }
}
