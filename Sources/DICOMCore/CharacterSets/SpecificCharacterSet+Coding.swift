extension SpecificCharacterSet {
    /// Decodes a whole element value (all of its backslash-separated values) to Unicode
    /// (PS3.3 C.12.1.1.2, PS3.5 §6.1).
    ///
    /// `vr` matters: only SH, LO, UC, ST, LT, UT and PN use the specific character set (PS3.5 §6.1.2.3);
    /// other string VRs are decoded as the default repertoire. For PN, each component group (split by `=`) is
    /// decoded separately: ISO 2022 state resets at `^`, `=` and `\`. Byte 0x5C is a delimiter only in VRs
    /// that allow multiple values, and only as a single-byte character (PS3.5 §6.1.2.3): inside a GB18030,
    /// GBK or ISO 2022 multi-byte character it is part of the character.
    ///
    /// Escape sequences of PS3.3 Tables C.12-3 and C.12-4 are honoured even for sets that (0008,0005) did not
    /// declare (including when it names only the default repertoire), since real data relies on it; unknown
    /// escape sequences throw. Bytes 0x80–0xFF met before any G1 designation are read in the first declared G1
    /// set, and a G1 designation made when value 1 has no G1 set survives delimiters.
    ///
    /// Padding is not removed: strip the trailing space before decoding if it is unwanted. With `ISO_IR 13`
    /// (JIS X 0201 Romaji in G0), 0x5C outside a delimiter position (ST, LT, UT) decodes as U+00A5 YEN SIGN
    /// and 0x7E as U+203E OVERLINE.
    ///
    /// - Throws: `CharacterSetError` with the offset of the first byte that cannot be decoded; U+FFFD is
    ///   never substituted. Bytes 0x80–0x9F (C1 controls) are never accepted in the ISO 8859 sets.
    public func decode(_ bytes: ArraySlice<UInt8>, vr: VR) throws(CharacterSetError) -> String {
        guard vr.usesSpecificCharacterSet else { return try Self.decodeDefaultRepertoire(bytes) }
        switch scheme {
        case .defaultRepertoire:
            if ASCIIFastPath.isASCIIWithoutEscape(bytes) { return String(decoding: bytes, as: UTF8.self) }
            guard bytes.contains(0x1B) else { return try Self.decodeDefaultRepertoire(bytes) }
            // ESC can only start code extension: read the escape sequences (leniently, as nothing is declared)
            // rather than pass ESC on.
            return try CodeExtensions.defaultRepertoire.decode(
                bytes, multiValued: vr.allowsMultipleValues, personName: vr == .PN)
        case .utf8:
            if ASCIIFastPath.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return try StatelessMultiByte.decodeUTF8(bytes, term: "ISO_IR 192")
        case .iconv(let name, let term):
            if ASCIIFastPath.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return try StatelessMultiByte.decode(bytes, iconvName: name, term: term)
        case .codeExtensions(let extensions):
            if extensions.initialG0 == .ascii, ASCIIFastPath.isASCIIWithoutEscape(bytes) {
                return String(decoding: bytes, as: UTF8.self)
            }
            return try extensions.decode(bytes, multiValued: vr.allowsMultipleValues, personName: vr == .PN)
        }
    }

    /// Decodes a whole element value; see `decode(_:vr:)` for slices.
    public func decode(_ bytes: [UInt8], vr: VR) throws(CharacterSetError) -> String {
        try decode(bytes[...], vr: vr)
    }

    /// Encodes Unicode text in this character set (PS3.3 C.12.1.1.2, PS3.5 §6.1), using ISO 2022 escape
    /// sequences where the set uses code extensions: each character is written in the first declared set
    /// that can represent it, and the initial set is restored before the delimiters `\`, `^` and `=` (as
    /// they apply to `vr`), before control characters such as CR and LF, and at the end (PS3.5 §6.1.2.5.3).
    ///
    /// As for decoding, only SH, LO, UC, ST, LT, UT and PN use the specific character set; other VRs take
    /// the default repertoire. No padding is added. ESC (U+001B) is refused in these VRs except with
    /// `ISO_IR 192`, `GB18030` and `GBK`, as a decoder would take it for the start of an escape sequence.
    ///
    /// - Throws: `CharacterSetError` (with no `byteOffset`) naming the first character that cannot be
    ///   represented.
    public func encode(_ text: String, vr: VR) throws(CharacterSetError) -> [UInt8] {
        guard vr.usesSpecificCharacterSet else { return try Self.encodeDefaultRepertoire(text) }
        switch scheme {
        case .defaultRepertoire:
            let encoded = try Self.encodeDefaultRepertoire(text)
            if let index = encoded.firstIndex(of: 0x1B) {
                throw CharacterSetError(
                    term: "ISO_IR 6", message: "ESC (U+001B) at character \(index) would be read as code extension")
            }
            return encoded
        case .utf8:
            return Array(text.utf8)
        case .iconv(let name, let term):
            if ASCIIFastPath.isASCIIWithoutEscape(text) { return Array(text.utf8) }
            return try StatelessMultiByte.encode(text, iconvName: name, term: term)
        case .codeExtensions(let extensions):
            if extensions.initialG0 == .ascii, ASCIIFastPath.isASCIIWithoutEscape(text) {
                return Array(text.utf8)
            }
            return try extensions.encode(text, multiValued: vr.allowsMultipleValues, personName: vr == .PN)
        }
    }

    /// The default repertoire: bytes 0x00–0x7F as ASCII (control characters are passed through).
    static func decodeDefaultRepertoire(_ bytes: ArraySlice<UInt8>) throws(CharacterSetError) -> String {
        if ASCIIFastPath.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        let offset = ASCIIFastPath.firstNonASCIIOffset(bytes) ?? 0
        throw CharacterSetError(
            term: "ISO_IR 6", byteOffset: offset,
            message: "byte 0x\(hex(bytes[bytes.startIndex + offset])) is outside the default repertoire")
    }

    static func encodeDefaultRepertoire(_ text: String) throws(CharacterSetError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard let index = utf8.firstIndex(where: { $0 >= 0x80 }) else { return utf8 }
        let position = String(decoding: utf8[..<index], as: UTF8.self).unicodeScalars.count
        let scalar = text.unicodeScalars.dropFirst(position).first ?? "\u{FFFD}"
        throw CharacterSetError(
            term: "ISO_IR 6", message: "\(describe(scalar)) at character \(position) is outside the default repertoire")
    }
}
