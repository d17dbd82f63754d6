/// A failure to decode bytes from, or encode text into, a DICOM character set
/// (PS3.3 C.12.1.1.2, PS3.5 §6.1).
///
/// Decoding never substitutes U+FFFD for bytes it cannot interpret; it throws this error instead,
/// giving the offset of the first offending byte. Encoding throws it for a character that none of
/// the declared character sets can represent.
public struct CharacterSetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The Specific Character Set (0008,0005) term involved, e.g. `"ISO 2022 IR 87"` or `"ISO_IR 6"`
    /// for the default repertoire.
    public var term: String
    /// When decoding, the offset (from the start of the value) of the first byte that could not be decoded.
    /// `nil` for encoding errors.
    public var byteOffset: Int?
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(term: String, byteOffset: Int? = nil, message: String) {
        self.term = term
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String {
        let name = term.isEmpty ? "default repertoire" : term
        if let byteOffset { return "\(name): \(message) (byte offset \(byteOffset))" }
        return "\(name): \(message)"
    }
}
