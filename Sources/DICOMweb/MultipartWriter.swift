/// Writes a `multipart/related` body piece by piece (RFC 2046 §5.1.1, RFC 2387, PS3.18 §8.6), so a server can
/// stream parts without building the whole body:
///
///     var writer = MultipartWriter(boundary: MultipartBoundary.random())
///     send(writer.beginPart(headers: [.init(name: "Content-Type", value: "application/dicom")]))
///     send(partContent)  // any number of chunks
///     send(writer.finish())
///
/// The first part starts with `--boundary`; later ones with `CRLF--boundary` (the CRLF belongs to the
/// delimiter, RFC 2046 §5.1.1). ``finish()`` writes the close delimiter `CRLF--boundary--CRLF`.
public struct MultipartWriter: Sendable {
    /// The boundary, without the leading `--`.
    public let boundary: String
    private var wrotePart = false

    /// Creates a writer. `boundary` must satisfy ``MultipartBoundary/isValid(_:)``.
    public init(boundary: String) {
        precondition(MultipartBoundary.isValid(boundary), "invalid multipart boundary")
        self.boundary = boundary
    }

    /// The Content-Type of the whole body: `multipart/related; type="<type>"; boundary=<boundary>`, plus any
    /// extra parameters of `type` such as `transfer-syntax` given in `parameters` (PS3.18 §8.6.1.1).
    public func contentType(type: MediaType, parameters: [MediaType.Parameter] = []) -> MediaType {
        var result = MediaType.multipartRelated(type: type)
        for parameter in parameters { result = result.setting(parameter: parameter.name, to: parameter.value) }
        return result.setting(parameter: "boundary", to: boundary)
    }

    /// The delimiter and header block that start the next part. CR and LF in names or values are replaced
    /// by spaces so a value cannot inject header lines.
    public mutating func beginPart(headers: [MultipartHeaders.Field]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(boundary.utf8.count + 8 + headers.count * 48)
        if wrotePart { bytes += [13, 10] }
        wrotePart = true
        bytes += [UInt8(ascii: "-"), UInt8(ascii: "-")]
        bytes += boundary.utf8
        bytes += [13, 10]
        for field in headers {
            bytes += Self.sanitized(field.name)
            bytes += [UInt8(ascii: ":"), 0x20]
            bytes += Self.sanitized(field.value)
            bytes += [13, 10]
        }
        bytes += [13, 10]
        return bytes
    }

    /// The delimiter and header block for a part with a Content-Type and optional Content-Location
    /// (PS3.18 §8.6.1.2).
    public mutating func beginPart(contentType: MediaType, contentLocation: String? = nil) -> [UInt8] {
        var headers = [MultipartHeaders.Field(name: "Content-Type", value: contentType.description)]
        if let contentLocation { headers.append(.init(name: "Content-Location", value: contentLocation)) }
        return beginPart(headers: headers)
    }

    /// The close delimiter, `--boundary--` followed by CRLF (preceded by CRLF when a part was written).
    public func finish() -> [UInt8] {
        var bytes: [UInt8] = wrotePart ? [13, 10] : []
        bytes += [UInt8(ascii: "-"), UInt8(ascii: "-")]
        bytes += boundary.utf8
        bytes += [UInt8(ascii: "-"), UInt8(ascii: "-"), 13, 10]
        return bytes
    }

    private static func sanitized(_ text: String) -> [UInt8] {
        text.utf8.map { $0 == 13 || $0 == 10 ? 0x20 : $0 }
    }
}
