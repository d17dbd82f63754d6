/// American Soundex (as in the U.S. National Archives' rules), used by ``QIDOPersonNameMatcher`` for fuzzy
/// matching of family names: the first letter, then the digits of the following consonants (b f p v → 1;
/// c g j k q s x z → 2; d t → 3; l → 4; m n → 5; r → 6), adjacent equal digits once (also across h and w),
/// vowels separating repeats, padded or cut to four characters. `Robert` and `Rupert` are R163, `Meier` and
/// `Mayer` M600. Deterministic and locale-free.
enum QIDOSoundex {
    /// The code of the ASCII letters of `name` (already case and accent folded); other characters are
    /// skipped. `nil` when `name` has no ASCII letter (e.g. ideographic names), which then never match
    /// phonetically.
    static func code(_ name: some StringProtocol) -> String? {
        let letters = name.unicodeScalars.compactMap { scalar -> UInt8? in
            guard scalar.isASCII else { return nil }
            let byte = UInt8(scalar.value) | 0x20
            return (0x61...0x7A).contains(byte) ? byte : nil
        }
        guard let first = letters.first else { return nil }
        var code = [first - 0x20]
        var previous = digit(first)
        for letter in letters.dropFirst() {
            let current = digit(letter)
            if let current, current != previous { code.append(current) }
            if code.count == 4 { break }
            // h and w do not separate equal digits; vowels do.
            if letter != UInt8(ascii: "h"), letter != UInt8(ascii: "w") { previous = current }
        }
        while code.count < 4 { code.append(UInt8(ascii: "0")) }
        return String(decoding: code, as: UTF8.self)
    }

    /// The digit of a lowercase ASCII letter, `nil` for vowels, h, w and y.
    private static func digit(_ letter: UInt8) -> UInt8? {
        switch letter {
        case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "p"), UInt8(ascii: "v"): UInt8(ascii: "1")
        case UInt8(ascii: "c"), UInt8(ascii: "g"), UInt8(ascii: "j"), UInt8(ascii: "k"), UInt8(ascii: "q"),
            UInt8(ascii: "s"), UInt8(ascii: "x"), UInt8(ascii: "z"):
            UInt8(ascii: "2")
        case UInt8(ascii: "d"), UInt8(ascii: "t"): UInt8(ascii: "3")
        case UInt8(ascii: "l"): UInt8(ascii: "4")
        case UInt8(ascii: "m"), UInt8(ascii: "n"): UInt8(ascii: "5")
        case UInt8(ascii: "r"): UInt8(ascii: "6")
        default: nil
        }
    }
}
