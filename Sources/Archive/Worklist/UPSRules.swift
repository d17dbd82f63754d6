import DICOMBinary
import DICOMCore

/// The attribute rules of the UPS IOD that the worklist enforces (PS3.4 Table CC.2.5-3).
enum UPSRules {
    /// Attributes of Type 1 for the creator (N-CREATE column "1/1"), besides Procedure Step State.
    static let requiredOnCreate: [(Tag, String)] = [
        (UPSTag.scheduledProcedureStepPriority, "ScheduledProcedureStepPriority (0074,1200)"),
        (UPSTag.procedureStepLabel, "ProcedureStepLabel (0074,1204)"),
        (UPSTag.scheduledProcedureStepStartDateTime, "ScheduledProcedureStepStartDateTime (0040,4005)"),
        (UPSTag.inputReadinessState, "InputReadinessState (0040,4041)"),
    ]

    /// Type 2 attributes the SCP creates empty when the creator leaves them out ("shall be created empty").
    static let createdEmpty: [Tag] = [UPSTag.progressInformationSequence, UPSTag.performedProcedureSequence]

    /// Attributes an update may not set (N-SET column "Not allowed"; Procedure Step State changes through the
    /// state resource; the Transaction UID is the lock, not an attribute).
    static let notUpdatable: [Tag: String] = [
        Tag(0x0008_0016): "SOPClassUID", Tag(0x0008_0018): "SOPInstanceUID",
        UPSTag.procedureStepState: "ProcedureStepState", UPSTag.transactionUID: "TransactionUID",
        UPSTag.scheduledProcedureStepModificationDateTime: "ScheduledProcedureStepModificationDateTime",
        Tag(0x0010_0010): "PatientName", Tag(0x0010_0020): "PatientID", Tag(0x0010_0030): "PatientBirthDate",
        Tag(0x0010_0040): "PatientSex", Tag(0x0010_0021): "IssuerOfPatientID",
        Tag(0x0010_0024): "IssuerOfPatientIDQualifiersSequence", Tag(0x0038_0010): "AdmissionID",
        Tag(0x0038_0014): "IssuerOfAdmissionIDSequence", Tag(0x0008_1080): "AdmittingDiagnosesDescription",
        Tag(0x0008_1084): "AdmittingDiagnosesCodeSequence", Tag(0x0040_A370): "ReferencedRequestSequence",
        Tag(0x0074_1224): "ReplacedProcedureStepSequence",
    ]

    /// Whether the workitem names a station or performers to report with UPS Assigned (PS3.4 §CC.2.4.3: when
    /// Scheduled Station Name Code Sequence or Scheduled Human Performers Sequence is populated).
    static func isAssigned(_ attributes: DataSet) -> Bool {
        [UPSTag.scheduledStationNameCodeSequence, UPSTag.scheduledHumanPerformersSequence].contains {
            attributes[$0]?.value.items?.isEmpty == false
        }
    }

    /// What keeps the workitem from becoming COMPLETED (PS3.4 §CC.2.5.1.1, Final State column "P"): the
    /// Unified Procedure Step Performed Procedure Sequence with its performed station, start and end
    /// date-times, performed workitem code and output information. Empty when the requirements are met.
    static func missingForCompletion(_ attributes: DataSet) -> [String] {
        guard let item = attributes[UPSTag.performedProcedureSequence]?.value.items?.first else {
            return ["UnifiedProcedureStepPerformedProcedureSequence (0074,1216) with one item"]
        }
        var missing: [String] = []
        let needed: [(Tag, String)] = [
            (UPSTag.performedStationNameCodeSequence, ">PerformedStationNameCodeSequence (0040,4028)"),
            (UPSTag.performedProcedureStepStartDateTime, ">PerformedProcedureStepStartDateTime (0040,4050)"),
            (UPSTag.performedProcedureStepEndDateTime, ">PerformedProcedureStepEndDateTime (0040,4051)"),
            (UPSTag.performedWorkitemCodeSequence, ">PerformedWorkitemCodeSequence (0040,4019)"),
            (UPSTag.outputInformationSequence, ">OutputInformationSequence (0040,4033)"),
        ]
        for (tag, name) in needed where !item.contains(tag) { missing.append(name) }
        for tag in [UPSTag.performedProcedureStepStartDateTime, UPSTag.performedProcedureStepEndDateTime]
        where item.contains(tag) && item.string(tag) == nil {
            missing.append(">\(tag) has no value")
        }
        return missing
    }
}
