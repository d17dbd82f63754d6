import DICOMweb
import Testing

/// ``QIDOLevel/level(of:)``: where the archive stores each top-level attribute (Study Root model).
@Suite struct QIDOLevelAttributesTests {
    static func level(_ keyword: String) -> QIDOLevel {
        QIDOLevel.level(of: DataDictionary.tag(forKeyword: keyword)!)
    }

    @Test(arguments: [
        "PatientName", "PatientID", "IssuerOfPatientID", "PatientBirthDate", "PatientSex", "OtherPatientIDsSequence",
        "PatientIdentityRemoved", "DeidentificationMethod", "PatientAge", "PatientWeight", "StudyInstanceUID",
        "StudyDate", "StudyTime", "AccessionNumber", "IssuerOfAccessionNumberSequence", "ReferringPhysicianName",
        "StudyDescription", "ProcedureCodeSequence", "ModalitiesInStudy", "NumberOfStudyRelatedInstances",
    ])
    func studyLevel(keyword: String) {
        #expect(Self.level(keyword) == .study)
    }

    @Test(arguments: [
        "Modality", "SeriesInstanceUID", "SeriesNumber", "Laterality", "SeriesDate", "PerformingPhysicianName",
        "ProtocolName", "SeriesDescription", "BodyPartExamined", "PerformedProcedureStepStartDate",
        "RequestAttributesSequence", "Manufacturer", "InstitutionName", "StationName", "ManufacturerModelName",
        "NumberOfSeriesRelatedInstances",
    ])
    func seriesLevel(keyword: String) {
        #expect(Self.level(keyword) == .series)
    }

    @Test(arguments: [
        "SOPInstanceUID", "SOPClassUID", "InstanceNumber", "Rows", "AcquisitionDateTime", "FrameOfReferenceUID",
        "SpecificCharacterSet", "TimezoneOffsetFromUTC", "PixelPaddingValue", "ContentDate",
    ])
    func instanceLevel(keyword: String) {
        #expect(Self.level(keyword) == .instance)
    }

    @Test func tablesAreDisjointAndPublic() {
        #expect(QIDOLevel.studyLevelTags.isDisjoint(with: QIDOLevel.seriesLevelTags))
        for tag in QIDOLevel.studyLevelTags.union(QIDOLevel.seriesLevelTags) {
            #expect(!tag.isPrivate)
            #expect(DataDictionary.keyword(for: tag) != nil, "\(tag)")
        }
        #expect(QIDOLevel.level(of: DICOMCore.Tag(0x0009_1010)) == .instance)
    }
}
