/// Where an archive stores each top-level attribute of an instance in the Study Root information model
/// (PS3.4 §C.6.2): once per study, once per series, or with each instance.
///
/// The tables list the Study Root keys of PS3.4 Annex C.6.2.1 (Tables C.6-5 and C.6-6, whose patient
/// attributes are study attributes in the Study Root model) and the full modules of PS3.3 an archive keeps at
/// those levels:
/// - study: Patient (C.7.1.1), Clinical Trial Subject (C.7.1.3), General Study (C.7.2.1), Patient Study
///   (C.7.2.2), Clinical Trial Study (C.7.2.3), and the patient demographics of C.2.2–C.2.4;
/// - series: General Series (C.7.3.1), Clinical Trial Series (C.7.3.2) and General Equipment (C.7.5.1), the
///   Equipment IE being part of the series.
///
/// Decisions:
/// - The Frame of Reference module (C.7.4.1) stays at the instance level: several frames of reference may
///   coexist in one series (registrations, segmentations, derived objects), and keeping FrameOfReferenceUID
///   per instance never loses a value.
/// - Pixel Padding Value, though in General Equipment, describes pixel data and stays with the instance.
/// - SpecificCharacterSet (0008,0005) and TimezoneOffsetFromUTC (0008,0201) belong to every level: they are
///   reported as ``QIDOLevel/instance`` here, and the archive copies them to the study and series records it
///   derives, so that the text and times stored there can be decoded.
/// - Attributes the archive computes (ModalitiesInStudy, NumberOfStudyRelatedSeries, ...) are listed too,
///   at the level they describe, although stored instances do not carry them.
extension QIDOLevel {
    /// The level at which the archive stores the top-level attribute `tag`: ``study`` for patient and study
    /// attributes, ``series`` for series and equipment attributes, ``instance`` for everything else (private
    /// attributes included).
    public static func level(of tag: Tag) -> QIDOLevel {
        if studyLevelTags.contains(tag) { return .study }
        if seriesLevelTags.contains(tag) { return .series }
        return .instance
    }

    /// Attributes stored once per study (patient attributes included, Study Root model).
    public static let studyLevelTags: Set<Tag> = tagSet([
        // Patient module (PS3.3 C.7.1.1)
        0x0010_0010,  // PatientName
        0x0010_0020,  // PatientID
        0x0010_0021,  // IssuerOfPatientID
        0x0010_0024,  // IssuerOfPatientIDQualifiersSequence
        0x0010_0022,  // TypeOfPatientID
        0x0010_0030,  // PatientBirthDate
        0x0010_0032,  // PatientBirthTime
        0x0010_0033,  // PatientBirthDateInAlternativeCalendar
        0x0010_0034,  // PatientDeathDateInAlternativeCalendar
        0x0010_0035,  // PatientAlternativeCalendar
        0x0010_0040,  // PatientSex
        0x0010_1100,  // ReferencedPatientPhotoSequence
        0x0010_0200,  // QualityControlSubject
        0x0008_1120,  // ReferencedPatientSequence
        0x0010_1000,  // OtherPatientIDs (retired, still common)
        0x0010_1002,  // OtherPatientIDsSequence
        0x0010_1001,  // OtherPatientNames
        0x0010_2160,  // EthnicGroup
        0x0010_2161,  // EthnicGroupCodeSequence
        0x0010_4000,  // PatientComments
        0x0010_2201,  // PatientSpeciesDescription
        0x0010_2202,  // PatientSpeciesCodeSequence
        0x0010_2292,  // PatientBreedDescription
        0x0010_2293,  // PatientBreedCodeSequence
        0x0010_2294,  // BreedRegistrationSequence
        0x0010_0212,  // StrainDescription
        0x0010_0213,  // StrainNomenclature
        0x0010_0216,  // StrainStockSequence
        0x0010_0218,  // StrainAdditionalInformation
        0x0010_0219,  // StrainCodeSequence
        0x0010_0221,  // GeneticModificationsSequence
        0x0010_2297,  // ResponsiblePerson
        0x0010_2298,  // ResponsiblePersonRole
        0x0010_2299,  // ResponsibleOrganization
        0x0012_0062,  // PatientIdentityRemoved
        0x0012_0063,  // DeidentificationMethod
        0x0012_0064,  // DeidentificationMethodCodeSequence
        0x0010_0026,  // SourcePatientGroupIdentificationSequence
        0x0010_0027,  // GroupOfPatientsIdentificationSequence
        // Patient Identification, Demographic and Medical modules (PS3.3 C.2.2, C.2.3, C.2.4), kept with the patient
        0x0010_1005,  // PatientBirthName
        0x0010_1060,  // PatientMotherBirthName
        0x0010_1090,  // MedicalRecordLocator (retired)
        0x0010_1040,  // PatientAddress
        0x0010_2154,  // PatientTelephoneNumbers
        0x0010_2155,  // PatientTelecomInformation
        0x0010_1080,  // MilitaryRank
        0x0010_1081,  // BranchOfService
        0x0010_2150,  // CountryOfResidence
        0x0010_2152,  // RegionOfResidence
        0x0010_21F0,  // PatientReligiousPreference
        0x0010_0050,  // PatientInsurancePlanCodeSequence
        0x0010_0101,  // PatientPrimaryLanguageCodeSequence
        // Clinical Trial Subject module (PS3.3 C.7.1.3)
        0x0012_0010,  // ClinicalTrialSponsorName
        0x0012_0020,  // ClinicalTrialProtocolID
        0x0012_0021,  // ClinicalTrialProtocolName
        0x0012_0022,  // IssuerOfClinicalTrialProtocolID
        0x0012_0023,  // OtherClinicalTrialProtocolIDsSequence
        0x0012_0030,  // ClinicalTrialSiteID
        0x0012_0031,  // ClinicalTrialSiteName
        0x0012_0032,  // IssuerOfClinicalTrialSiteID
        0x0012_0040,  // ClinicalTrialSubjectID
        0x0012_0041,  // IssuerOfClinicalTrialSubjectID
        0x0012_0042,  // ClinicalTrialSubjectReadingID
        0x0012_0043,  // IssuerOfClinicalTrialSubjectReadingID
        0x0012_0081,  // ClinicalTrialProtocolEthicsCommitteeName
        0x0012_0082,  // ClinicalTrialProtocolEthicsCommitteeApprovalNumber
        0x0012_0086,  // EthicsCommitteeApprovalEffectivenessStartDate
        0x0012_0087,  // EthicsCommitteeApprovalEffectivenessEndDate
        // General Study module (PS3.3 C.7.2.1)
        0x0020_000D,  // StudyInstanceUID
        0x0008_0020,  // StudyDate
        0x0008_0030,  // StudyTime
        0x0008_0090,  // ReferringPhysicianName
        0x0008_0096,  // ReferringPhysicianIdentificationSequence
        0x0008_009C,  // ConsultingPhysicianName
        0x0008_009D,  // ConsultingPhysicianIdentificationSequence
        0x0020_0010,  // StudyID
        0x0008_0050,  // AccessionNumber
        0x0008_0051,  // IssuerOfAccessionNumberSequence
        0x0008_1030,  // StudyDescription
        0x0008_1048,  // PhysiciansOfRecord
        0x0008_1049,  // PhysiciansOfRecordIdentificationSequence
        0x0008_1060,  // NameOfPhysiciansReadingStudy
        0x0008_1062,  // PhysiciansReadingStudyIdentificationSequence
        0x0032_1033,  // RequestingService
        0x0032_1034,  // RequestingServiceCodeSequence
        0x0008_1110,  // ReferencedStudySequence
        0x0008_1032,  // ProcedureCodeSequence
        0x0040_1012,  // ReasonForPerformedProcedureCodeSequence
        // Patient Study module (PS3.3 C.7.2.2)
        0x0008_1080,  // AdmittingDiagnosesDescription
        0x0008_1084,  // AdmittingDiagnosesCodeSequence
        0x0010_1010,  // PatientAge
        0x0010_1020,  // PatientSize
        0x0010_1030,  // PatientWeight
        0x0010_1021,  // PatientSizeCodeSequence
        0x0010_1022,  // PatientBodyMassIndex
        0x0010_1023,  // MeasuredAPDimension
        0x0010_1024,  // MeasuredLateralDimension
        0x0010_2000,  // MedicalAlerts
        0x0010_2110,  // Allergies
        0x0010_21A0,  // SmokingStatus
        0x0010_21C0,  // PregnancyStatus
        0x0010_21D0,  // LastMenstrualDate
        0x0038_0500,  // PatientState
        0x0010_21B0,  // AdditionalPatientHistory
        0x0010_2180,  // Occupation
        0x0010_2203,  // PatientSexNeutered
        0x0038_0010,  // AdmissionID
        0x0038_0014,  // IssuerOfAdmissionIDSequence
        0x0038_0060,  // ServiceEpisodeID
        0x0038_0064,  // IssuerOfServiceEpisodeIDSequence
        0x0038_0062,  // ServiceEpisodeDescription
        0x0032_1066,  // ReasonForVisit
        0x0032_1067,  // ReasonForVisitCodeSequence
        // Clinical Trial Study module (PS3.3 C.7.2.3)
        0x0012_0050,  // ClinicalTrialTimePointID
        0x0012_0051,  // ClinicalTrialTimePointDescription
        0x0012_0052,  // LongitudinalTemporalOffsetFromEvent
        0x0012_0053,  // LongitudinalTemporalEventType
        0x0012_0083,  // ConsentForClinicalTrialUseSequence
        // Study Root Query/Retrieve keys computed per study (PS3.4 C.6.2.1.2, Table C.6-5 and C.6-1)
        0x0020_1070,  // OtherStudyNumbers (retired)
        0x0020_1200,  // NumberOfPatientRelatedStudies
        0x0020_1202,  // NumberOfPatientRelatedSeries
        0x0020_1204,  // NumberOfPatientRelatedInstances
        0x0008_0061,  // ModalitiesInStudy
        0x0008_0062,  // SOPClassesInStudy
        0x0008_0063,  // AnatomicRegionsInStudyCodeSequence
        0x0020_1206,  // NumberOfStudyRelatedSeries
        0x0020_1208,  // NumberOfStudyRelatedInstances
    ])

    /// Attributes stored once per series (equipment attributes included).
    public static let seriesLevelTags: Set<Tag> = tagSet([
        // General Series module (PS3.3 C.7.3.1)
        0x0008_0060,  // Modality
        0x0020_000E,  // SeriesInstanceUID
        0x0020_0011,  // SeriesNumber
        0x0020_0060,  // Laterality
        0x0008_0021,  // SeriesDate
        0x0008_0031,  // SeriesTime
        0x0008_1050,  // PerformingPhysicianName
        0x0008_1052,  // PerformingPhysicianIdentificationSequence
        0x0018_1030,  // ProtocolName
        0x0008_103E,  // SeriesDescription
        0x0008_103F,  // SeriesDescriptionCodeSequence
        0x0008_1070,  // OperatorsName
        0x0008_1072,  // OperatorIdentificationSequence
        0x0008_1111,  // ReferencedPerformedProcedureStepSequence
        0x0008_1250,  // RelatedSeriesSequence
        0x0010_2210,  // AnatomicalOrientationType
        0x0018_0015,  // BodyPartExamined
        0x0018_5100,  // PatientPosition
        0x0028_0108,  // SmallestPixelValueInSeries
        0x0028_0109,  // LargestPixelValueInSeries
        0x0040_0275,  // RequestAttributesSequence
        0x0040_0253,  // PerformedProcedureStepID
        0x0040_0244,  // PerformedProcedureStepStartDate
        0x0040_0245,  // PerformedProcedureStepStartTime
        0x0040_0250,  // PerformedProcedureStepEndDate
        0x0040_0251,  // PerformedProcedureStepEndTime
        0x0040_0254,  // PerformedProcedureStepDescription
        0x0040_0260,  // PerformedProtocolCodeSequence
        0x0040_0280,  // CommentsOnThePerformedProcedureStep
        0x300A_0700,  // TreatmentSessionUID
        // Clinical Trial Series module (PS3.3 C.7.3.2)
        0x0012_0060,  // ClinicalTrialCoordinatingCenterName
        0x0012_0071,  // ClinicalTrialSeriesID
        0x0012_0073,  // IssuerOfClinicalTrialSeriesID
        0x0012_0072,  // ClinicalTrialSeriesDescription
        // General Equipment module (PS3.3 C.7.5.1), the Equipment IE of the series
        0x0008_0070,  // Manufacturer
        0x0008_0080,  // InstitutionName
        0x0008_0081,  // InstitutionAddress
        0x0008_1010,  // StationName
        0x0008_1040,  // InstitutionalDepartmentName
        0x0008_1041,  // InstitutionalDepartmentTypeCodeSequence
        0x0008_1090,  // ManufacturerModelName
        0x0018_100B,  // ManufacturerDeviceClassUID
        0x0018_1000,  // DeviceSerialNumber
        0x0018_1002,  // DeviceUID
        0x0018_100A,  // UDISequence
        0x0018_1008,  // GantryID
        0x0018_1020,  // SoftwareVersions
        0x0018_1050,  // SpatialResolution
        0x0018_1200,  // DateOfLastCalibration
        0x0018_1201,  // TimeOfLastCalibration
        // Study Root Query/Retrieve keys computed per series (PS3.4 C.6.2.1.2, Table C.6-6)
        0x0020_1209,  // NumberOfSeriesRelatedInstances
    ])

    private static func tagSet(_ raw: [UInt32]) -> Set<Tag> { Set(raw.map(Tag.init(rawValue:))) }
}
