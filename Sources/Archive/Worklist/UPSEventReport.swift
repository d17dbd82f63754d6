import DICOMBinary
import DICOMCore
import DICOMJSON

/// The event reports of the UPS Event SOP Class (PS3.4 §CC.2.4, Table CC.2.4-1), as the DICOM JSON objects the
/// event channel sends (PS3.18 §11.13): the N-EVENT-REPORT command attributes Affected SOP Class UID (the UPS
/// Push SOP Class, as §CC.2.4.3 requires), Affected SOP Instance UID and Event Type ID, plus the event's own.
public enum UPSEventReport {
    /// Event Type IDs of Table CC.2.4-1.
    public enum EventType: UInt16, Sendable {
        /// UPS State Report.
        case stateReport = 1
        /// UPS Cancel Requested.
        case cancelRequested = 2
        /// UPS Progress Report.
        case progressReport = 3
        /// SCP Status Change.
        case scpStatusChange = 4
        /// UPS Assigned.
        case assigned = 5
    }

    static func report(_ type: EventType, workitem uid: String, _ attributes: [DataElement]) -> DataSet {
        var out = DataSet(attributes)
        out.set(.text(Tag.affectedSOPClassUID, .UI, UPSTag.pushSOPClass))
        out.set(.text(Tag.affectedSOPInstanceUID, .UI, uid))
        out.set(.unsignedShort(Tag.eventTypeID, type.rawValue))
        return out
    }

    /// The elements of `tags` that `dataSet` has, plus its Specific Character Set.
    static func copy(_ tags: [Tag], from dataSet: DataSet) -> [DataElement] {
        ([Tag.specificCharacterSet] + tags).compactMap { dataSet[$0] }
    }

    /// UPS State Report (event type 1): Procedure Step State and Input Readiness State, with the reason and
    /// discontinuation codes of a cancellation when the workitem has them.
    static func stateReport(_ workitem: Workitem) -> DataSet {
        var elements = copy([Tag.procedureStepState, Tag.inputReadinessState], from: workitem.attributes)
        if workitem.state == .canceled,
            let item = workitem.attributes[Tag.procedureStepProgressInformationSequence]?.value.items?.first
        {
            elements += copy(
                [Tag.reasonForCancellation, Tag.procedureStepDiscontinuationReasonCodeSequence], from: item)
        }
        return report(.stateReport, workitem: workitem.uid, elements)
    }

    /// UPS Cancel Requested (event type 2): the requesting AE and what the request gave.
    static func cancelRequested(_ uid: String, requestingAE: String, request: DataSet) -> DataSet {
        let given = copy(
            [
                Tag.reasonForCancellation, Tag.procedureStepDiscontinuationReasonCodeSequence, Tag.contactURI,
                Tag.contactDisplayName,
            ], from: request)
        return report(.cancelRequested, workitem: uid, [.text(Tag.requestingAE, .AE, requestingAE)] + given)
    }

    /// UPS Progress Report (event type 3): the Procedure Step Progress Information Sequence.
    static func progressReport(_ workitem: Workitem) -> DataSet {
        report(
            .progressReport, workitem: workitem.uid,
            copy([Tag.procedureStepProgressInformationSequence], from: workitem.attributes))
    }

    /// UPS Assigned (event type 5): the scheduled station and human performers.
    static func assigned(_ workitem: Workitem) -> DataSet {
        var elements = copy([Tag.scheduledStationNameCodeSequence], from: workitem.attributes)
        if let performer = workitem.attributes[Tag.scheduledHumanPerformersSequence]?.value.items?.first {
            elements += copy([Tag.humanPerformerCodeSequence, Tag.humanPerformerOrganization], from: performer)
        }
        return report(.assigned, workitem: workitem.uid, elements)
    }

    /// SCP Status Change (event type 4) after a start: `RESTARTED`, with subscriptions and workitems kept
    /// (`WARM START`, PS3.4 §CC.2.4.3). It concerns no one workitem; it names the Worklist UID.
    static func restarted() -> DataSet {
        report(
            .scpStatusChange, workitem: UPSTag.globalSubscriptionUID,
            [
                .text(Tag.scpStatus, .CS, "RESTARTED"), .text(Tag.subscriptionListStatus, .CS, "WARM START"),
                .text(Tag.unifiedProcedureStepListStatus, .CS, "WARM START"),
            ])
    }

    /// The JSON object sent on the event channel.
    static func json(_ report: DataSet) -> [UInt8] { Array(DICOMJSONEncoder.encode(report).utf8) }
}
