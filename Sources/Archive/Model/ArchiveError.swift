/// A failure of an archive service, with a code the HTTP layer maps to a status (ARCHITECTURE §8).
///
/// Messages name UIDs and byte offsets, never patient data.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in the terms a transport maps to its own statuses.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The entity (study, series, instance, frame, bulk data) does not exist.
        public static let notFound = Code(name: "notFound")
        /// The request conflicts with what is stored (e.g. different content under an existing SOP Instance UID).
        public static let conflict = Code(name: "conflict")
        /// The request is malformed.
        public static let invalidRequest = Code(name: "invalidRequest")
        /// What was asked for exists but cannot be produced in the requested form.
        public static let notAcceptable = Code(name: "notAcceptable")
        /// The request is larger than the server accepts.
        public static let tooLarge = Code(name: "tooLarge")
        /// Storage failed (disk, database).
        public static let storage = Code(name: "storage")
        /// An instance names a stored study whose patient is another one (``PatientConflictPolicy``).
        public static let patientConflict = Code(name: "patientConflict")
        /// The store has less free space than the server keeps in reserve (`min-free-space`): nothing is written.
        public static let insufficientStorage = Code(name: "insufficientStorage")
        /// A stored instance is damaged: the bytes the index references are missing or not as long as indexed.
        public static let damaged = Code(name: "damaged")
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A message for the client and the log (no patient data).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// The error of a stored instance whose bytes are missing or damaged (``Code/damaged``), naming the
    /// instance and what is wrong.
    public static func damaged(_ sopInstanceUID: String, _ what: String) -> ArchiveError {
        ArchiveError(.damaged, "stored instance \(sopInstanceUID) is damaged or missing: \(what)")
    }
}
