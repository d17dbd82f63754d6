/// A request that did not succeed: the server answered with an error status, or the exchange failed.
public struct DICOMwebClientError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// What went wrong, with the server's own explanation when it gave one.
    public var message: String

    /// Creates an error.
    public init(status: Int? = nil, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String {
        if let status { return "HTTP \(status): \(message)" }
        return message
    }
}
