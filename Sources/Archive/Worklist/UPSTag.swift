import DICOMCore
import DICOMweb

/// The tags the worklist reads and writes (PS3.4 Annex CC; PS3.6 Table 6-1, and PS3.7 Table E.1-1 for the
/// command group of event reports).
public enum UPSTag {
    /// Affected SOP Class UID (0000,0002).
    public static let affectedSOPClassUID = Tag(0x0000_0002)
    /// Affected SOP Instance UID (0000,1000).
    public static let affectedSOPInstanceUID = Tag(0x0000_1000)
    /// Event Type ID (0000,1002).
    public static let eventTypeID = Tag(0x0000_1002)
    /// Transaction UID (0008,1195).
    public static let transactionUID = Tag(0x0008_1195)
    /// Scheduled Human Performers Sequence (0040,4034).
    public static let scheduledHumanPerformersSequence = Tag(0x0040_4034)
    /// Human Performer Code Sequence (0040,4009).
    public static let humanPerformerCodeSequence = Tag(0x0040_4009)
    /// Human Performer's Organization (0040,4036).
    public static let humanPerformersOrganization = Tag(0x0040_4036)
    /// Scheduled Station Name Code Sequence (0040,4025).
    public static let scheduledStationNameCodeSequence = Tag(0x0040_4025)
    /// Scheduled Procedure Step Start DateTime (0040,4005).
    public static let scheduledProcedureStepStartDateTime = Tag(0x0040_4005)
    /// Scheduled Procedure Step Modification DateTime (0040,4010).
    public static let scheduledProcedureStepModificationDateTime = Tag(0x0040_4010)
    /// Input Readiness State (0040,4041).
    public static let inputReadinessState = Tag(0x0040_4041)
    /// Performed Station Name Code Sequence (0040,4028).
    public static let performedStationNameCodeSequence = Tag(0x0040_4028)
    /// Performed Workitem Code Sequence (0040,4019).
    public static let performedWorkitemCodeSequence = Tag(0x0040_4019)
    /// Output Information Sequence (0040,4033).
    public static let outputInformationSequence = Tag(0x0040_4033)
    /// Performed Procedure Step Start DateTime (0040,4050).
    public static let performedProcedureStepStartDateTime = Tag(0x0040_4050)
    /// Performed Procedure Step End DateTime (0040,4051).
    public static let performedProcedureStepEndDateTime = Tag(0x0040_4051)
    /// Procedure Step Cancellation DateTime (0040,4052).
    public static let procedureStepCancellationDateTime = Tag(0x0040_4052)
    /// Procedure Step State (0074,1000).
    public static let procedureStepState = Tag(0x0074_1000)
    /// Procedure Step Progress Information Sequence (0074,1002).
    public static let progressInformationSequence = Tag(0x0074_1002)
    /// Procedure Step Communications URI Sequence (0074,1008).
    public static let communicationsURISequence = Tag(0x0074_1008)
    /// Contact URI (0074,100A).
    public static let contactURI = Tag(0x0074_100A)
    /// Contact Display Name (0074,100C).
    public static let contactDisplayName = Tag(0x0074_100C)
    /// Procedure Step Discontinuation Reason Code Sequence (0074,100E).
    public static let discontinuationReasonCodeSequence = Tag(0x0074_100E)
    /// Scheduled Procedure Step Priority (0074,1200).
    public static let scheduledProcedureStepPriority = Tag(0x0074_1200)
    /// Worklist Label (0074,1202).
    public static let worklistLabel = Tag(0x0074_1202)
    /// Procedure Step Label (0074,1204).
    public static let procedureStepLabel = Tag(0x0074_1204)
    /// Unified Procedure Step Performed Procedure Sequence (0074,1216).
    public static let performedProcedureSequence = Tag(0x0074_1216)
    /// Requesting AE (0074,1236).
    public static let requestingAE = Tag(0x0074_1236)
    /// Reason For Cancellation (0074,1238).
    public static let reasonForCancellation = Tag(0x0074_1238)
    /// SCP Status (0074,1242).
    public static let scpStatus = Tag(0x0074_1242)
    /// Subscription List Status (0074,1244).
    public static let subscriptionListStatus = Tag(0x0074_1244)
    /// Unified Procedure Step List Status (0074,1246).
    public static let upsListStatus = Tag(0x0074_1246)

    /// The UPS Push SOP Class (PS3.4 §CC.3.1), the SOP Class UID of every workitem and of its event reports.
    public static let pushSOPClass = "1.2.840.10008.5.1.4.34.6.1"
    /// The Worklist (global subscription) well-known UID (PS3.4 §CC.2.3.1).
    public static let globalSubscriptionUID = WorklistResources.globalSubscriptionUID
    /// The Filtered Worklist (filtered global subscription) well-known UID.
    public static let filteredSubscriptionUID = WorklistResources.filteredSubscriptionUID
}
