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
    }

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

/// What the store does when an instance arrives under a SOP Instance UID it already holds.
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    /// Refuse it (failure 0x0111).
    case reject
    /// Replace the stored instance.
    case overwrite
    /// Report success when the bytes are identical, refuse it otherwise (the default).
    case acceptIdentical = "accept-identical"
}
