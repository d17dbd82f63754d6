import DICOMCore

/// The attributes the archive computes for search results rather than storing them (PS3.4 §C.6.2.1.2,
/// PS3.18 §10.6.3.3): Modalities in Study (0008,0061), SOP Classes in Study (0008,0062), Number of Study
/// Related Series / Instances (0020,1206 / 0020,1208), Number of Series Related Instances (0020,1209) and
/// Instance Availability (0008,0056), which is `ONLINE` for everything this archive holds.
enum ComputedAttributes {
    /// The study's attribute set with its computed attributes (availability included).
    static func study(_ study: IndexCandidate.Study) -> DataSet {
        var out = AttributeCodec.decode(study.attributes)
        if !study.modalities.isEmpty {
            out.set(
                DataElement(Tag.modalitiesInStudy, .CS, bytes: Array(study.modalities.joined(separator: "\\").utf8)))
        }
        if !study.sopClasses.isEmpty {
            out.set(
                DataElement(Tag.sopClassesInStudy, .UI, bytes: Array(study.sopClasses.joined(separator: "\\").utf8)))
        }
        out.set(DataElement(Tag.numberOfStudyRelatedSeries, .IS, bytes: Array(String(study.seriesCount).utf8)))
        out.set(DataElement(Tag.numberOfStudyRelatedInstances, .IS, bytes: Array(String(study.instanceCount).utf8)))
        out.set(DataElement(Tag.instanceAvailability, .CS, bytes: Array("ONLINE".utf8)))
        return out
    }

    /// The series' attribute set with its computed attributes.
    static func series(_ series: IndexCandidate.Series) -> DataSet {
        var out = AttributeCodec.decode(series.attributes)
        out.set(DataElement(Tag.numberOfSeriesRelatedInstances, .IS, bytes: Array(String(series.instanceCount).utf8)))
        return out
    }
}
