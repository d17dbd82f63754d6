import DICOMBinary
import DICOMCore
import DICOMweb

extension WorklistService {
    // MARK: Update (PS3.18 §11.6, PS3.4 §CC.2.6)

    /// Sets attributes of a workitem that is not final. An `IN PROGRESS` workitem needs its Transaction UID
    /// (from the request URI, or in `changes` as N-SET carries it); a `SCHEDULED` one must not get one.
    public func update(_ uid: String, changes request: DataSet, transactionUID given: String?) async throws -> UPSResult
    {
        var edited = request
        let bodyTransaction = edited.string(Tag.transactionUID)
        edited.remove(Tag.transactionUID)
        if let given, let bodyTransaction, given != bodyTransaction {
            throw UPSError(
                .invalid, "The Transaction UID of the request URI and of the body differ.",
                warning: "The Transaction UID is incorrect.")
        }
        let transactionUID = given ?? bodyTransaction
        let forbidden = edited.compactMap { UPSRules.notUpdatable[$0.tag] }
        guard forbidden.isEmpty else {
            throw UPSError(
                .invalid,
                "These attributes cannot be updated (PS3.4 Table CC.2.5-3): " + forbidden.joined(separator: ", ")
                    + ". The state changes through the /state resource.")
        }
        let changes = edited
        try await write { transaction, outbox in
            guard var workitem = try await transaction.workitem(uid) else { throw UPSError.noSuchWorkitem(uid) }
            switch workitem.state {
            case .completed, .canceled:
                throw UPSError(
                    .invalid, "The Target Workitem is \(workitem.state.rawValue) and may no longer be updated.",
                    warning: "The submitted request is inconsistent with the current state of the Workitem.")
            case .scheduled:
                if transactionUID != nil {
                    throw UPSError.wrongState("The Target Workitem is SCHEDULED: an update carries no Transaction UID.")
                }
            case .inProgress:
                guard let transactionUID else {
                    throw UPSError(
                        .invalid, "The Target Workitem is IN PROGRESS: the update needs its Transaction UID.",
                        warning: "The target URI did not reference a claimed Workitem.")
                }
                guard transactionUID == workitem.transactionUID else {
                    throw UPSError(
                        .invalid, "The Transaction UID is incorrect.", warning: "The Transaction UID is incorrect.")
                }
            }
            let before = workitem
            for element in changes { workitem.attributes.set(element) }
            workitem.attributes.set(.text(Tag.scheduledProcedureStepModificationDateTime, .DT, DICOMClock.nowDT()))
            guard try await transaction.replace(workitem, expecting: before) else {
                throw UPSError.changedMeanwhile(uid)
            }
            outbox.changed(uid)
            let subscribers = try await transaction.subscribers(of: uid)
            func changed(_ tags: [Tag], in item: (DataSet) -> DataSet) -> Bool {
                tags.contains { item(before.attributes)[$0] != item(workitem.attributes)[$0] }
            }
            // PS3.4 §CC.2.4.3: which changes are reported, and how.
            if changed([Tag.inputReadinessState], in: { $0 }) {
                try await outbox.send(UPSEventReport.stateReport(workitem), to: subscribers)
            }
            if changed([Tag.procedureStepProgressInformationSequence], in: { $0 }) {
                try await outbox.send(UPSEventReport.progressReport(workitem), to: subscribers)
            }
            if changed([Tag.scheduledStationNameCodeSequence, Tag.scheduledHumanPerformersSequence], in: { $0 }),
                UPSRules.isAssigned(workitem.attributes)
            {
                try await outbox.send(UPSEventReport.assigned(workitem), to: subscribers)
            }
        }
        return UPSResult(uid: uid)
    }

    // MARK: Change state (PS3.18 §11.7, PS3.4 §CC.1.1 Table CC.1.1-2, §CC.2.1)

    /// Moves a workitem to the state `request` names, proving ownership with its Transaction UID. Errors follow
    /// Table CC.1.1-2: a missing or wrong Transaction UID is 400, a transition the state does not allow 409,
    /// the final state asked again a success with a warning.
    public func changeState(_ uid: String, request: DataSet) async throws -> UPSResult {
        guard let text = request.string(Tag.procedureStepState) else {
            throw UPSError(.invalid, "The request has no Procedure Step State (0074,1000) (PS3.4 Table CC.2.1-1).")
        }
        guard let target = ProcedureStepState(rawValue: text) ?? (text == "CANCELLED" ? .canceled : nil) else {
            throw UPSError(
                .invalid, "'\(text)' is not a Procedure Step State: IN PROGRESS, COMPLETED or CANCELED (PS3.4 §CC.1.1)."
            )
        }
        guard let transactionUID = request.string(Tag.transactionUID) else {
            throw UPSError(.invalid, "The Transaction UID is missing.", warning: "The Transaction UID is missing.")
        }
        guard QIDOValueSyntax.isValidUID(transactionUID) else {
            throw UPSError(.invalid, "The Transaction UID is not a valid UID (PS3.5 §9.1).")
        }
        return try await write { transaction, outbox in
            guard var workitem = try await transaction.workitem(uid) else { throw UPSError.noSuchWorkitem(uid) }
            let before = workitem
            let current = workitem.state
            let owner = workitem.transactionUID
            if target == .scheduled {
                throw UPSError.wrongState(
                    "The UPS may only become SCHEDULED when it is created, not by a state change.")
            }
            if current != .scheduled, owner != transactionUID {
                throw UPSError(
                    .invalid, "The Transaction UID is incorrect.", warning: "The Transaction UID is incorrect.")
            }
            switch (current, target) {
            case (.scheduled, .inProgress):
                workitem.transactionUID = transactionUID
            case (.scheduled, _):
                throw UPSError.wrongState("The UPS is not yet IN PROGRESS.")
            case (.inProgress, .inProgress):
                throw UPSError.wrongState("The UPS is already IN PROGRESS.")
            case (.inProgress, .completed):
                let missing = UPSRules.missingForCompletion(workitem.attributes)
                guard missing.isEmpty else {
                    throw UPSError.wrongState(
                        "The UPS has not met the final state requirements for COMPLETED (PS3.4 §CC.2.5.1.1): missing "
                            + missing.joined(separator: ", "))
                }
            case (.inProgress, .canceled):
                UPSRules.fillCancellation(&workitem.attributes, from: DataSet())
            case (.completed, .completed), (.canceled, .canceled):
                return UPSResult(
                    uid: uid, warnings: ["The UPS is already in the requested state of \(target.rawValue)."])
            case (.completed, _), (.canceled, _), (_, .scheduled):
                // Leaving a final state (C300); SCHEDULED was refused above (C303).
                throw UPSError.wrongState("The UPS is \(current.rawValue) and may no longer be updated.")
            }
            workitem.attributes.set(.text(Tag.procedureStepState, .CS, target.rawValue))
            // A claim (SCHEDULED to IN PROGRESS with a Transaction UID) and every other change: compare-and-set on
            // the state and Transaction UID read above, so that of two concurrent claims exactly one wins.
            guard try await transaction.replace(workitem, expecting: before) else {
                throw UPSError.changedMeanwhile(uid)
            }
            outbox.changed(uid)
            try await outbox.send(UPSEventReport.stateReport(workitem), to: await transaction.subscribers(of: uid))
            if target.isFinal { try await transaction.removeUnlockedSubscriptions(of: uid) }
            return UPSResult(uid: uid)
        }
    }

    // MARK: Request cancellation (PS3.18 §11.8, PS3.4 §CC.2.2)

    /// Asks for a workitem to be canceled. A `SCHEDULED` one is canceled at once (through IN PROGRESS, each
    /// change reported); for an `IN PROGRESS` one the subscribers, its performer among them, get a UPS Cancel
    /// Requested event and decide. Refused (409) when it is COMPLETED, or when no one is subscribed to hear
    /// the request ("The performer cannot be contacted").
    public func requestCancellation(_ uid: String, request: DataSet, requestingAE: String) async throws -> UPSResult {
        try await write { transaction, outbox in
            guard var workitem = try await transaction.workitem(uid) else { throw UPSError.noSuchWorkitem(uid) }
            let subscribers = try await transaction.subscribers(of: uid)
            switch workitem.state {
            case .scheduled:
                let before = workitem
                workitem.transactionUID = UIDGenerator.make()
                workitem.attributes.set(.text(Tag.procedureStepState, .CS, ProcedureStepState.inProgress.rawValue))
                try await outbox.send(UPSEventReport.stateReport(workitem), to: subscribers)
                UPSRules.fillCancellation(&workitem.attributes, from: request)
                workitem.attributes.set(.text(Tag.procedureStepState, .CS, ProcedureStepState.canceled.rawValue))
                guard try await transaction.replace(workitem, expecting: before) else {
                    throw UPSError.changedMeanwhile(uid)
                }
                outbox.changed(uid)
                try await outbox.send(UPSEventReport.stateReport(workitem), to: subscribers)
                try await transaction.removeUnlockedSubscriptions(of: uid)
                return UPSResult(uid: uid)
            case .inProgress:
                guard !subscribers.isEmpty else {
                    throw UPSError(
                        .conflict, "No subscriber of the Target Workitem can be told of the request.",
                        warning: "The performer cannot be contacted.")
                }
                try await outbox.send(
                    UPSEventReport.cancelRequested(uid, requestingAE: requestingAE, request: request), to: subscribers)
                outbox.changed(uid)
                return UPSResult(uid: uid)
            case .completed:
                throw UPSError(.conflict, "The UPS is already COMPLETED.", warning: "The UPS is already COMPLETED.")
            case .canceled:
                return UPSResult(uid: uid, warnings: ["The UPS is already in the requested state of CANCELED."])
            }
        }
    }
}

extension UPSRules {
    /// Fills what a cancellation records in the Procedure Step Progress Information Sequence (PS3.4 Table
    /// CC.2.5-3, Final State "X"): the Procedure Step Cancellation DateTime when it has no value (the SCP fills it,
    /// §CC.2.5.1.1), and the reason, discontinuation codes and contact given by a cancellation request.
    static func fillCancellation(_ attributes: inout DataSet, from request: DataSet) {
        var item = attributes[Tag.procedureStepProgressInformationSequence]?.value.items?.first ?? DataSet()
        if item.string(Tag.procedureStepCancellationDateTime) == nil {
            item.set(.text(Tag.procedureStepCancellationDateTime, .DT, DICOMClock.nowDT()))
        }
        for tag in [Tag.reasonForCancellation, Tag.procedureStepDiscontinuationReasonCodeSequence] {
            if let element = request[tag] { item.set(element) }
        }
        if let uri = request[Tag.contactURI] {
            var contact = DataSet([uri])
            if let name = request[Tag.contactDisplayName] { contact.set(name) }
            item.set(DataElement(Tag.procedureStepCommunicationsURISequence, items: [contact]))
        }
        attributes.set(DataElement(Tag.procedureStepProgressInformationSequence, items: [item]))
    }
}
