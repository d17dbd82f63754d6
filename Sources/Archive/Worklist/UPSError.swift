/// A refused worklist request (PS3.18 §11, PS3.4 §CC.2): the kind of failure, which the HTTP layer maps to a
/// status, the reason, and the `Warning` text PS3.18 gives for it, if any.
public struct UPSError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The request is malformed or invalid for the workitem (HTTP 400).
        case invalid
        /// The workitem or subscription does not exist (HTTP 404).
        case notFound
        /// The request conflicts with the workitem's state (HTTP 409).
        case conflict
    }
    /// The kind.
    public var kind: Kind
    /// The reason, for the response body and the log (no patient data).
    public var message: String
    /// The text of the `Warning: 299` header PS3.18 gives for this failure, without code and agent.
    public var warning: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, warning: String? = nil) {
        self.kind = kind
        self.message = message
        self.warning = warning
    }

    public var description: String { message }

    static func noSuchWorkitem(_ uid: String) -> UPSError {
        UPSError(.notFound, "The origin server has no knowledge of the Target Workitem \(uid).")
    }

    /// Another writer changed the workitem's state or Transaction UID between the read a change was decided on
    /// and its compare-and-set (``WorklistTransaction/replace(_:expecting:)``): as if this request came second.
    static func changedMeanwhile(_ uid: String) -> UPSError {
        wrongState("The UPS \(uid) was changed by another request; its state is no longer the one this request saw.")
    }

    /// PS3.18 §11.7.3.2: "The submitted request is inconsistent with the state of the UPS Instance."
    static func wrongState(_ message: String) -> UPSError {
        UPSError(
            .conflict, message, warning: "The submitted request is inconsistent with the state of the UPS Instance.")
    }
}

/// The outcome of a worklist request that succeeded: its `Warning: 299` texts (PS3.18 §11), and for a creation
/// the workitem's UID.
public struct UPSResult: Sendable {
    /// The workitem addressed or created.
    public var uid: String
    /// Warning texts, without code and agent.
    public var warnings: [String] = []
}
