extension CodeExtensions {
    /// Decodes a value with ISO/IEC 2022 code extensions (PS3.5 §6.1.2.5).
    ///
    /// - Escape sequences of PS3.3 Tables C.12-3 and C.12-4 designate sets to G0 and G1, even sets that
    ///   (0008,0005) did not declare (real data uses e.g. `ESC ( B` with `ISO 2022 IR 13`); unknown escape
    ///   sequences throw.
    /// - While a multi-byte set is in G0, bytes 0x21–0x7E are taken in pairs, so a 0x5C, 0x5E or 0x3D inside a
    ///   character is never a delimiter.
    /// - Otherwise the delimiters (`\` when `multiValued`, and `^` and `=` when `personName`) reset G0, and G1
    ///   when value 1 has a G1 set, to their initial state (PS3.5 §6.1.2.5.3).
    /// - Bytes 0x80–0xFF before any G1 designation are read in the first declared G1 set (see `impliedG1`).
    func decode(_ bytes: ArraySlice<UInt8>, multiValued: Bool, personName: Bool) throws(CharacterSetError) -> String {
        let initialG0 = ResolvedCodeElement(self.initialG0)
        let initialG1 = self.initialG1.map(ResolvedCodeElement.init)
        var g0 = initialG0
        // Until a G1 set is designated, bytes 0x80–0xFF are read in the implied set (see `impliedG1`).
        var g1 = initialG1 ?? impliedG1.map(ResolvedCodeElement.init)
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 2)
        let start = bytes.startIndex
        let end = bytes.endIndex
        var i = start

        func fail(_ term: String, at index: Int, _ message: String) -> CharacterSetError {
            CharacterSetError(term: term, byteOffset: index - start, message: message)
        }

        while i < end {
            let byte = bytes[i]
            if byte == 0x1B {
                // ESC, intermediate bytes 0x20–0x2F, final byte 0x30–0x7E (ISO/IEC 2022 §13.1).
                var j = i + 1
                while j < end, (0x20...0x2F).contains(bytes[j]) { j += 1 }
                guard j < end, (0x30...0x7E).contains(bytes[j]),
                    let element = CodeElement.designated(by: bytes[(i + 1)...j])
                else {
                    throw fail(allTerms, at: i, "unknown or incomplete escape sequence")
                }
                let resolved = ResolvedCodeElement(element)
                guard resolved.isAvailable else {
                    throw fail(term(for: element), at: i, "the platform's iconv lacks this character set")
                }
                if element.isG1 { g1 = resolved } else { g0 = resolved }
                i = j + 1
                continue
            }
            if byte < 0x80 {
                if g0.element.isMultiByte, byte > 0x20, byte < 0x7F {
                    guard i + 1 < end, (0x21...0x7E).contains(bytes[i + 1]),
                        let scalar = g0.decode(byte, bytes[i + 1])
                    else {
                        throw fail(term(for: g0.element), at: i, "invalid or unassigned two-byte code")
                    }
                    UTF8Output.append(scalar, to: &utf8)
                    i += 2
                    continue
                }
                if (byte == 0x5C && multiValued) || (personName && (byte == 0x5E || byte == 0x3D)) {
                    utf8.append(byte)
                    g0 = initialG0
                    if let initialG1 { g1 = initialG1 }
                } else if byte <= 0x20 || byte == 0x7F || g0.element == .ascii {
                    utf8.append(byte)
                } else if let scalar = g0.decode(byte: byte) {
                    UTF8Output.append(scalar, to: &utf8)
                } else {
                    throw fail(term(for: g0.element), at: i, "unassigned byte")
                }
                i += 1
                continue
            }
            guard let set = g1 else {
                throw fail(allTerms, at: i, "byte 0x\(hex(byte)) needs a G1 character set, but none is declared")
            }
            if set.element.isMultiByte {
                guard i + 1 < end, (0xA1...0xFE).contains(byte), (0xA1...0xFE).contains(bytes[i + 1]),
                    let scalar = set.decode(byte, bytes[i + 1])
                else {
                    throw fail(term(for: set.element), at: i, "invalid or unassigned two-byte code")
                }
                UTF8Output.append(scalar, to: &utf8)
                i += 2
            } else {
                guard let scalar = set.decode(byte: byte) else {
                    let reason =
                        set.isAvailable
                        ? "unassigned byte 0x\(hex(byte))" : "the platform's iconv lacks this character set"
                    throw fail(term(for: set.element), at: i, reason)
                }
                UTF8Output.append(scalar, to: &utf8)
                i += 1
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}

/// Two uppercase hexadecimal digits.
func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
}

/// Appending characters to a UTF-8 buffer.
enum UTF8Output {
    @inline(__always) static func append(_ scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            buffer.append(UInt8(value))
        case 0x80..<0x800:
            buffer.append(0xC0 | UInt8(value >> 6))
            buffer.append(0x80 | UInt8(value & 0x3F))
        case 0x800..<0x1_0000:
            buffer.append(0xE0 | UInt8(value >> 12))
            buffer.append(0x80 | UInt8((value >> 6) & 0x3F))
            buffer.append(0x80 | UInt8(value & 0x3F))
        default:
            buffer.append(0xF0 | UInt8(value >> 18))
            buffer.append(0x80 | UInt8((value >> 12) & 0x3F))
            buffer.append(0x80 | UInt8((value >> 6) & 0x3F))
            buffer.append(0x80 | UInt8(value & 0x3F))
        }
    }
}
