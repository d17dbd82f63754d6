extension CodeExtensions {
    /// Encodes text with ISO/IEC 2022 code extensions (PS3.5 §6.1.2.5).
    ///
    /// Each character is written in the first declared set that has it, designating that set to G0 or G1
    /// with its escape sequence (PS3.3 Tables C.12-3 and C.12-4) when it is not already there. Before each
    /// delimiter (`\` when `multiValued`, `^` and `=` when `personName`), before each control character and
    /// at the end, the initial G0 set, and the initial G1 set when value 1 has one, are designated again
    /// (PS3.5 §6.1.2.5.3). When value 1 has no G1 set, a G1 set used afterwards is designated again.
    func encode(_ text: String, multiValued: Bool, personName: Bool) throws(CharacterSetError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        var g0 = initialG0
        var g1 = initialG1

        func returnToInitialSets() {
            if g0 != initialG0 {
                out.append(contentsOf: initialG0.escapeSequence)
                g0 = initialG0
            }
            if g1 != initialG1 {
                if let initialG1 { out.append(contentsOf: initialG1.escapeSequence) }
                g1 = initialG1
            }
        }

        let candidates = declared.map(ResolvedCodeElement.init)
        var position = 0
        for scalar in text.unicodeScalars {
            defer { position += 1 }
            let value = scalar.value
            let isDelimiter = (value == 0x5C && multiValued) || (personName && (value == 0x5E || value == 0x3D))
            if isDelimiter || (value < 0x20 && value != 0x1B) {
                returnToInitialSets()
                out.append(UInt8(value))
                continue
            }
            guard value != 0x1B else {
                throw CharacterSetError(
                    term: allTerms, message: "ESC (U+001B) at character \(position) would be read as code extension")
            }
            var encoded = false
            for candidate in candidates {
                guard let code = candidate.encode(scalar, reservingBackslash: multiValued) else { continue }
                let element = candidate.element
                if element.isG1 {
                    if g1 != element {
                        out.append(contentsOf: element.escapeSequence)
                        g1 = element
                    }
                } else if g0 != element {
                    out.append(contentsOf: element.escapeSequence)
                    g0 = element
                }
                out.append(code.first)
                if let second = code.second { out.append(second) }
                encoded = true
                break
            }
            guard encoded else {
                throw CharacterSetError(
                    term: allTerms,
                    message: "\(describe(scalar)) at character \(position) is in none of the declared character sets")
            }
        }
        returnToInitialSets()
        return out
    }
}

/// `U+XXXX 'c'` for error messages.
func describe(_ scalar: Unicode.Scalar) -> String {
    var digits = String(scalar.value, radix: 16, uppercase: true)
    while digits.count < 4 { digits = "0" + digits }
    let printable = scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value)
    return printable ? "U+\(digits) '\(Character(scalar))'" : "U+\(digits)"
}
