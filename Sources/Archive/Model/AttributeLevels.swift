import DICOMCore
import DICOMDictionary

/// The information-model level at which the index keeps an attribute of a stored instance (PS3.4 §C.6.1.1,
/// the Study Root hierarchy): patient and study attributes with the study, series attributes with the series,
/// the rest with the instance.
public enum AttributeLevel: Sendable, Hashable {
    /// Patient and study.
    case study
    /// Series.
    case series
    /// Instance.
    case instance

    /// Attributes every level keeps, so that each level's text decodes and time zones apply.
    static let shared: Set<Tag> = [.specificCharacterSet, Tag.timezoneOffsetFromUTC]

    static let studyTags: Set<Tag> = [
        0x0008_0020, 0x0008_0030, 0x0008_0050, 0x0008_0051, 0x0008_0090, 0x0008_0096, 0x0008_1030, 0x0008_1032,
        0x0008_1048, 0x0008_1049, 0x0008_1060, 0x0008_1062, 0x0008_1080, 0x0008_1110,
        0x0010_0010, 0x0010_0020, 0x0010_0021, 0x0010_0024, 0x0010_0030, 0x0010_0032, 0x0010_0040, 0x0010_1000,
        0x0010_1001, 0x0010_1002, 0x0010_1010, 0x0010_1020, 0x0010_1030, 0x0010_2160, 0x0010_2201, 0x0010_2292,
        0x0010_4000, 0x0012_0062, 0x0012_0063, 0x0020_000D, 0x0020_0010, 0x0032_1032, 0x0032_1033, 0x0032_1060,
        0x0032_1064,
    ].reduce(into: Set<Tag>()) { $0.insert(Tag($1)) }

    static let seriesTags: Set<Tag> = [
        0x0008_0021, 0x0008_0031, 0x0008_0060, 0x0008_0070, 0x0008_0080, 0x0008_0081, 0x0008_1010, 0x0008_103E,
        0x0008_1040, 0x0008_1050, 0x0008_1070, 0x0008_1090, 0x0008_1111, 0x0018_0015, 0x0018_1030, 0x0018_5100,
        0x0020_000E, 0x0020_0011, 0x0020_0052, 0x0020_0060, 0x0020_1040, 0x0040_0244, 0x0040_0245, 0x0040_0253,
        0x0040_0254, 0x0040_0260, 0x0040_0275,
    ].reduce(into: Set<Tag>()) { $0.insert(Tag($1)) }

    /// The level of a top-level attribute.
    public static func of(_ tag: Tag) -> AttributeLevel {
        if studyTags.contains(tag) { return .study }
        if seriesTags.contains(tag) { return .series }
        return .instance
    }

    /// Splits an instance's attributes into the three levels; ``shared`` attributes go to each.
    public static func split(_ attributes: DataSet) -> (study: DataSet, series: DataSet, instance: DataSet) {
        var study = DataSet()
        var series = DataSet()
        var instance = DataSet()
        for element in attributes {
            if shared.contains(element.tag) {
                study.set(element)
                series.set(element)
                instance.set(element)
                continue
            }
            switch of(element.tag) {
            case .study: study.set(element)
            case .series: series.set(element)
            case .instance: instance.set(element)
            }
        }
        return (study, series, instance)
    }
}
