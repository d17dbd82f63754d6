/// Nothing the client accepts can be produced: the reason for a 406 Not Acceptable (RFC 9110 §15.5.7,
/// PS3.18 §8.7.3).
public struct NotAcceptable: Error, Sendable, Hashable, CustomStringConvertible {
    /// The client's ranges with a non-zero weight.
    public var accepted: [MediaRange]
    /// What the resource can produce.
    public var offered: [Representation]

    /// Creates the reason from the client's acceptable ranges and the offers.
    public init(accepted: [MediaRange], offered: [Representation]) {
        self.accepted = accepted
        self.offered = offered
    }

    /// A human-readable reason listing what is offered, suitable for a 406 response body.
    public var description: String {
        let asked =
            accepted.isEmpty ? "none" : accepted.map(\.description).joined(separator: ", ")
        let offers = offered.map(\.description).joined(separator: "; ")
        return "None of the acceptable media types (\(asked)) can be produced. Available: \(offers)."
    }
}
