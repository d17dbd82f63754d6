/// Splits a raw URI query component into the decoded name and value pairs ``QIDOQuery/parse(queryItems:scope:)``
/// takes (PS3.18 §8.3.4; URIs per RFC 3986, PS3.18 §8.2).
public enum QIDOQueryString {
    /// Splits `query` (without the leading `?`) at `&` into items and each item at its first `=`, then
    /// percent-decodes names and values as UTF-8 (RFC 3986 §2.1). An item without `=` has an empty value
    /// (Universal Matching for an attribute); empty items (`a=1&&b=2`) are skipped.
    ///
    /// A `+` is a space in the value of an attribute whose values may hold spaces (AE, CS, LO, LT, PN, SH, ST,
    /// UC, UT): PS3.18 builds its URIs by RFC 3986, where `+` is an ordinary character, but the widespread
    /// HTML form encoding (`application/x-www-form-urlencoded`: Python's requests and so dicomweb-client,
    /// Java's URLEncoder, URLSearchParams) sends a space as `+` (`ProcedureStepState=IN+PROGRESS`), and every
    /// such encoder sends a plus sign as `%2B`. Everywhere else `+` stays a plus sign: in DA, DT, TM, numbers,
    /// UIDs and tags a space is never valid, and a `+` there is a sign or a UTC offset
    /// (`20240101120000+0100`), as in parameter names and the other parameters.
    ///
    /// - Throws: ``QIDOQueryError/Code/malformedQueryString`` for `%` not followed by two hexadecimal digits
    ///   or for bytes that are not UTF-8.
    public static func decode(_ query: some StringProtocol) throws(QIDOQueryError) -> [(String, String)] {
        var items: [(String, String)] = []
        for item in query.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = item.firstIndex(of: UInt8(ascii: "="))
            let name = try percentDecode(item[..<(equals ?? item.endIndex)])
            let plusIsSpace = Self.plusIsSpace(in: name)
            let value = try equals.map { (index) throws(QIDOQueryError) in
                let raw = item[item.index(after: index)...]
                return try percentDecode(
                    plusIsSpace ? raw.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 } : Array(raw))
            }
            items.append((name, value ?? ""))
        }
        return items
    }

    /// VRs whose values may hold spaces, where a `+` of a form-encoded query is one.
    private static let spaceVRs: Set<VR> = [.AE, .CS, .LO, .LT, .PN, .SH, .ST, .UC, .UT]

    /// Whether `name` is an attribute (keyword, tag or path) of a VR in ``spaceVRs``.
    private static func plusIsSpace(in name: String) -> Bool {
        guard let path = try? QIDOAttributePath.parse(Substring(name), parameter: name) else { return false }
        return spaceVRs.contains(path.vr)
    }

    private static func percentDecode(_ bytes: some Collection<UInt8>) throws(QIDOQueryError) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw QIDOQueryError(
                    .malformedQueryString, parameter: nil,
                    "'%' must be followed by two hexadecimal digits (RFC 3986 §2.1).")
            }
            decoded.append(high << 4 | low)
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw QIDOQueryError(.malformedQueryString, parameter: nil, "The query string is not valid UTF-8.")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
