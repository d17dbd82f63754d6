import Logging

/// The logger the archive's services write to: a task-local value, so that what a service logs while
/// answering a request goes to that request's logger (with its request id and identity) without every call
/// passing a logger down. The HTTP layer binds it for each request (`RequestLogMiddleware`); `lantern serve`
/// binds the process logger around everything it runs, so background work (the journal sweeper, response
/// bodies streamed after their handler returned) logs there. Unbound (tests, library use), it is a logger
/// labelled `lantern.archive` on swift-log's default handler.
///
/// What the archive logs never holds patient data: UIDs and attribute values stay out of messages and
/// metadata; errors are described by what failed (a blob, the index), not by the values involved.
public enum ArchiveLog {
    /// The current task's archive logger.
    @TaskLocal public static var logger = Logger(label: "lantern.archive")

    /// What may be logged of `error`: the message of a storage error (it names the system call and the OS
    /// error, e.g. a full disk; storage messages never quote a UID — an instance that cannot be read is
    /// ``ArchiveError/Code/damaged``), otherwise its type and code only — other messages may quote UIDs or values.
    public static func describe(_ error: any Error) -> Logger.MetadataValue {
        if let error = error as? ArchiveError {
            return .string(error.code == .storage ? error.description : "ArchiveError.\(error.code)")
        }
        return .string(String(describing: type(of: error)))
    }
}
