/// The result of storing one instance: what STOW-RS reports in its Referenced SOP Sequence or Failed SOP
/// Sequence (PS3.18 §10.5.3). Failures are data, not errors (ARCHITECTURE §6).
public struct StoreOutcome: Sendable, Hashable {
    /// Failure reasons (PS3.18 §10.5.3, PS3.4 Annex B.2.3 statuses).
    public enum Failure: UInt16, Sendable {
        /// The server lacks the resources (e.g. disk) to store it.
        case outOfResources = 0xA700
        /// The data set lacks attributes every instance must have, or contradicts the request (e.g. another
        /// study than the one in the target resource).
        case dataSetDoesNotMatchSOPClass = 0xA900
        /// The part could not be read as a Part 10 instance.
        case cannotUnderstand = 0xC000
        /// A general failure while storing.
        case processingFailure = 0x0110
        /// Another instance is already stored under this SOP Instance UID.
        case duplicateSOPInstance = 0x0111
        /// The SOP Class is not one the target resource stores (a non-patient category, PS3.18 §12.5).
        case sopClassNotSupported = 0x0122
        /// The instance names a stored study whose patient differs (Patient ID, Issuer of Patient ID or Patient's
        /// Name), and the ``PatientConflictPolicy`` is ``PatientConflictPolicy/reject``. In the "Error: Cannot
        /// understand" range (Cxxx, PS3.4 Annex B.2.3, low bits implementation-specific): the instance is refused
        /// for what it says, and sending it again changes nothing (an A7xx "out of resources" code, which
        /// dcm4chee-arc uses for its patient checks, invites a retry).
        case patientConflict = 0xC409
    }

    /// The Warning Reason of an instance stored into a study of another patient under
    /// ``PatientConflictPolicy/accept``: in the warning range (Bxxx, PS3.7 Annex C), not one of the standard
    /// reasons (PS3.18 §10.5.3: nothing was coerced or discarded), with an Error Comment that says what happened.
    public static let patientConflictWarning: UInt16 = 0xB409

    /// SOP Class UID, when it could be read.
    public var sopClassUID: String?
    /// SOP Instance UID, when it could be read.
    public var sopInstanceUID: String?
    /// Study Instance UID, when stored.
    public var studyUID: String?
    /// Series Instance UID, when stored.
    public var seriesUID: String?
    /// The non-patient category it is stored in (PS3.18 §12), `nil` for the studies.
    public var category: NonPatientCategory?
    /// Why the instance was not stored; `nil` when it was.
    public var failure: Failure?
    /// A warning reason when stored with a warning (PS3.18 §10.5.3: 0xB000 coercion, 0xB006 elements
    /// discarded, 0xB007 data set does not match SOP class).
    public var warning: UInt16?
    /// A human-readable explanation (no patient data).
    public var comment: String?

    /// Creates an outcome.
    public init(
        sopClassUID: String?, sopInstanceUID: String?, studyUID: String? = nil, seriesUID: String? = nil,
        failure: Failure? = nil, warning: UInt16? = nil, comment: String? = nil
    ) {
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.failure = failure
        self.warning = warning
        self.comment = comment
    }

    /// Whether the instance is stored.
    public var isStored: Bool { failure == nil }
}

/// What the store does when an instance names a stored study whose patient is another one: its Patient ID
/// (0010,0020) or Issuer of Patient ID (0010,0021) differs, or its Patient's Name (0010,0010) after removing
/// padding spaces.
public enum PatientConflictPolicy: String, Sendable, CaseIterable {
    /// Refuse the instance (failure ``StoreOutcome/Failure/patientConflict``); the default.
    case reject
    /// Store it with a warning (``StoreOutcome/patientConflictWarning``). The study keeps its patient
    /// attributes; the instance keeps its own, which instance-level searches match.
    case accept
}

/// What the store does when an instance arrives under a SOP Instance UID it already holds.
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    /// Refuse it (failure 0x0111).
    case reject
    /// Replace the stored instance.
    case overwrite
    /// Report success when the bytes are identical, refuse it otherwise (the default).
    case acceptIdentical = "accept-identical"
}
