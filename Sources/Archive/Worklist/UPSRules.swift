import DICOMBinary
import DICOMCore

/// The attribute rules of the UPS IOD that the worklist enforces (PS3.4 Table CC.2.5-3).
enum UPSRules {
    /// Attributes of Type 1 for the creator (N-CREATE column "1/1"), besides Procedure Step State.
    static let requiredOnCreate: [(Tag, String)] = [
        (Tag.scheduledProcedureStepPriority, "ScheduledProcedureStepPriority (0074,1200)"),
        (Tag.procedureStepLabel, "ProcedureStepLabel (0074,1204)"),
        (Tag.scheduledProcedureStepStartDateTime, "ScheduledProcedureStepStartDateTime (0040,4005)"),
        (Tag.inputReadinessState, "InputReadinessState (0040,4041)"),
    ]

    /// Type 2 attributes the SCP creates empty when the creator leaves them out ("shall be created empty").
    static let createdEmpty: [Tag] = [
        Tag.procedureStepProgressInformationSequence, Tag.unifiedProcedureStepPerformedProcedureSequence,
    ]

    /// Attributes an update may not set (N-SET column "Not allowed"; Procedure Step State changes through the
    /// state resource; the Transaction UID is the lock, not an attribute).
    static let notUpdatable: [Tag: String] = [
        Tag.sopClassUID: "SOPClassUID", Tag.sopInstanceUID: "SOPInstanceUID",
        Tag.procedureStepState: "ProcedureStepState", Tag.transactionUID: "TransactionUID",
        Tag.scheduledProcedureStepModificationDateTime: "ScheduledProcedureStepModificationDateTime",
        Tag.patientName: "PatientName", Tag.patientID: "PatientID", Tag.patientBirthDate: "PatientBirthDate",
        Tag.patientSex: "PatientSex", Tag.issuerOfPatientID: "IssuerOfPatientID",
        Tag.issuerOfPatientIDQualifiersSequence: "IssuerOfPatientIDQualifiersSequence", Tag.admissionID: "AdmissionID",
        Tag.issuerOfAdmissionIDSequence: "IssuerOfAdmissionIDSequence",
        Tag.admittingDiagnosesDescription: "AdmittingDiagnosesDescription",
        Tag.admittingDiagnosesCodeSequence: "AdmittingDiagnosesCodeSequence",
        Tag.referencedRequestSequence: "ReferencedRequestSequence",
        Tag.replacedProcedureStepSequence: "ReplacedProcedureStepSequence",
    ]

    /// Whether the workitem names a station or performers to report with UPS Assigned (PS3.4 §CC.2.4.3: when
    /// Scheduled Station Name Code Sequence or Scheduled Human Performers Sequence is populated).
    static func isAssigned(_ attributes: DataSet) -> Bool {
        [Tag.scheduledStationNameCodeSequence, Tag.scheduledHumanPerformersSequence].contains {
            attributes[$0]?.value.items?.isEmpty == false
        }
    }

    /// What keeps the workitem from becoming COMPLETED (PS3.4 §CC.2.5.1.1, Final State column "P"): the
    /// Unified Procedure Step Performed Procedure Sequence with its performed station, start and end
    /// date-times, performed workitem code and output information. Empty when the requirements are met.
    static func missingForCompletion(_ attributes: DataSet) -> [String] {
        guard let item = attributes[Tag.unifiedProcedureStepPerformedProcedureSequence]?.value.items?.first else {
            return ["UnifiedProcedureStepPerformedProcedureSequence (0074,1216) with one item"]
        }
        var missing: [String] = []
        let needed: [(Tag, String)] = [
            (Tag.performedStationNameCodeSequence, ">PerformedStationNameCodeSequence (0040,4028)"),
            (Tag.performedProcedureStepStartDateTime, ">PerformedProcedureStepStartDateTime (0040,4050)"),
            (Tag.performedProcedureStepEndDateTime, ">PerformedProcedureStepEndDateTime (0040,4051)"),
            (Tag.performedWorkitemCodeSequence, ">PerformedWorkitemCodeSequence (0040,4019)"),
            (Tag.outputInformationSequence, ">OutputInformationSequence (0040,4033)"),
        ]
        for (tag, name) in needed where !item.contains(tag) { missing.append(name) }
        for tag in [Tag.performedProcedureStepStartDateTime, Tag.performedProcedureStepEndDateTime]
        where item.contains(tag) && item.string(tag) == nil {
            missing.append(">\(tag) has no value")
        }
        return missing
    }
}
