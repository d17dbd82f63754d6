import DICOMCore

extension QIDOReturnAttributes {
    /// The Type 2 attributes among the default return attributes of `scope` (PS3.18 Tables 10.6.3-3, -4 and -5,
    /// and the C-FIND keys of PS3.4 Table C.6-5 to C.6-7 they come from), with their VRs: a result carries them
    /// even when the stored entity has no value, zero-length (an attribute a client may read without testing
    /// that it is there, as OHIF reads ModalitiesInStudy and PatientBirthDate).
    public static func typeTwo(for scope: QIDOScope) -> [(Tag, VR)] {
        let defaults = Set(defaults(for: scope).compactMap { $0.tags.count == 1 ? $0.tags[0] : nil })
        return typeTwo.filter { defaults.contains($0.0) }
    }

    private static let typeTwo: [(Tag, VR)] = [
        // Study (Table 10.6.3-3)
        (Tag.studyDate, .DA),  // StudyDate
        (Tag.studyTime, .TM),  // StudyTime
        (Tag.accessionNumber, .SH),  // AccessionNumber
        (Tag.modalitiesInStudy, .CS),  // ModalitiesInStudy
        (Tag.referringPhysicianName, .PN),  // ReferringPhysicianName
        (Tag.patientName, .PN),  // PatientName
        (Tag.patientID, .LO),  // PatientID
        (Tag.patientBirthDate, .DA),  // PatientBirthDate
        (Tag.patientSex, .CS),  // PatientSex
        (Tag.studyID, .SH),  // StudyID
        // Series (Table 10.6.3-4)
        (Tag.modality, .CS),  // Modality
        (Tag.seriesNumber, .IS),  // SeriesNumber
        // Instance (Table 10.6.3-5)
        (Tag.instanceNumber, .IS),  // InstanceNumber
    ]
}

extension DataSet {
    /// The set with a zero-length element for each of `attributes` it lacks (Type 2 return keys, PS3.4
    /// §C.2.2.1.2: "a zero-length value when the attribute has no value").
    public func addingEmpty(_ attributes: [(Tag, VR)]) -> DataSet {
        var out = self
        for (tag, vr) in attributes where !out.contains(tag) { out.set(DataElement(tag, vr, bytes: [])) }
        return out
    }
}
