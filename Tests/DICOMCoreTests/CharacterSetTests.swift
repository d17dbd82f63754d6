import Testing

@testable import DICOMCore

/// Tests of Specific Character Set (0008,0005) decoding and encoding (PS3.3 C.12.1.1.2, PS3.5 §6.1).
///
/// Byte strings marked "chr…" are the Patient Name values of the pydicom character set test files
/// (`data/charset_files/chr*.dcm`), with the expected text as pydicom 3.0.1 decodes it. Other byte strings
/// were produced with Python's codecs, whose tables agree with glibc's for the characters used here.
@Suite struct CharacterSetTests {
    // MARK: - Helpers

    /// Removes trailing SPACE padding, as the parser does before decoding.
    private func unpadded(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        while bytes.last == 0x20 { bytes.removeLast() }
        return bytes
    }

    private func charset(_ terms: String...) -> SpecificCharacterSet {
        SpecificCharacterSet(terms: terms)
    }

    private func decodingError(
        _ set: SpecificCharacterSet, _ bytes: [UInt8], vr: VR = .LO
    ) -> CharacterSetError? {
        do {
            _ = try set.decode(bytes, vr: vr)
            return nil
        } catch {
            return error
        }
    }

    private func encodingError(_ set: SpecificCharacterSet, _ text: String, vr: VR = .LO) -> CharacterSetError? {
        do {
            _ = try set.encode(text, vr: vr)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Single-byte sets

    struct SingleByteSample: Sendable, CustomTestStringConvertible {
        var term: String
        var text: String
        var bytes: [UInt8]
        var testDescription: String { term }
    }

    static let singleByteSamples: [SingleByteSample] = [
        .init(
            term: "ISO_IR 100", text: "Buc^Jérôme", bytes: [0x42, 0x75, 0x63, 0x5E, 0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65]),
        .init(
            term: "ISO_IR 101", text: "Dvořák^Antonín",
            bytes: [0x44, 0x76, 0x6F, 0xF8, 0xE1, 0x6B, 0x5E, 0x41, 0x6E, 0x74, 0x6F, 0x6E, 0xED, 0x6E]),
        .init(
            term: "ISO_IR 109", text: "Ħasan^Ġużeppi",
            bytes: [0xA1, 0x61, 0x73, 0x61, 0x6E, 0x5E, 0xD5, 0x75, 0xBF, 0x65, 0x70, 0x70, 0x69]),
        .init(
            term: "ISO_IR 110", text: "Kalniņš^Jānis",
            bytes: [0x4B, 0x61, 0x6C, 0x6E, 0x69, 0xF1, 0xB9, 0x5E, 0x4A, 0xE0, 0x6E, 0x69, 0x73]),
        .init(
            term: "ISO_IR 144", text: "Люксембург",
            bytes: [0xBB, 0xEE, 0xDA, 0xE1, 0xD5, 0xDC, 0xD1, 0xE3, 0xE0, 0xD3]),
        .init(
            term: "ISO_IR 127", text: "قباني^لنزار",
            bytes: [0xE2, 0xC8, 0xC7, 0xE6, 0xEA, 0x5E, 0xE4, 0xE6, 0xD2, 0xC7, 0xD1]),
        .init(
            term: "ISO_IR 126", text: "Διονυσιος", bytes: [0xC4, 0xE9, 0xEF, 0xED, 0xF5, 0xF3, 0xE9, 0xEF, 0xF2]),
        .init(
            term: "ISO_IR 138", text: "שרון^דבורה",
            bytes: [0xF9, 0xF8, 0xE5, 0xEF, 0x5E, 0xE3, 0xE1, 0xE5, 0xF8, 0xE4]),
        .init(
            term: "ISO_IR 148", text: "Çağrı^Şükrü",
            bytes: [0xC7, 0x61, 0xF0, 0x72, 0xFD, 0x5E, 0xDE, 0xFC, 0x6B, 0x72, 0xFC]),
        .init(
            term: "ISO_IR 203", text: "Lœuillet^Zoë €",
            bytes: [0x4C, 0xBD, 0x75, 0x69, 0x6C, 0x6C, 0x65, 0x74, 0x5E, 0x5A, 0x6F, 0xEB, 0x20, 0xA4]),
        .init(
            term: "ISO_IR 166", text: "ภาษาไทย^สมชาย",
            bytes: [0xC0, 0xD2, 0xC9, 0xD2, 0xE4, 0xB7, 0xC2, 0x5E, 0xCA, 0xC1, 0xAA, 0xD2, 0xC2]),
        .init(term: "ISO_IR 13", text: "ﾔﾏﾀﾞ^ﾀﾛｳ", bytes: [0xD4, 0xCF, 0xC0, 0xDE, 0x5E, 0xC0, 0xDB, 0xB3]),
    ]

    @Test(arguments: singleByteSamples)
    func singleByteSetWithoutExtensions(_ sample: SingleByteSample) throws {
        let set = SpecificCharacterSet(terms: [sample.term])
        #expect(set.unknownTerms.isEmpty)
        #expect(!set.isDefault)
        #expect(try set.decode(sample.bytes, vr: .PN) == sample.text)
        #expect(try set.encode(sample.text, vr: .PN) == sample.bytes)
        #expect(try set.decode(sample.bytes, vr: .LO) == sample.text)
    }

    @Test(arguments: singleByteSamples)
    func singleByteSetWithExtensions(_ sample: SingleByteSample) throws {
        let term = sample.term.replacingPrefix("ISO_IR ", with: "ISO 2022 IR ")
        let set = SpecificCharacterSet(terms: [term])
        #expect(set.unknownTerms.isEmpty)
        #expect(try set.decode(sample.bytes, vr: .PN) == sample.text)
        #expect(try set.encode(sample.text, vr: .PN) == sample.bytes)
    }

    @Test(arguments: singleByteSamples)
    func singleByteSetDesignatedAfterDefaultRepertoire(_ sample: SingleByteSample) throws {
        // Value 1 is ISO 2022 IR 6, so G1 starts empty: the encoder designates the set with its escape sequence
        // in every component (the delimiter returns to the initial state), and the decoder follows.
        let term = sample.term.replacingPrefix("ISO_IR ", with: "ISO 2022 IR ")
        let set = SpecificCharacterSet(terms: ["ISO 2022 IR 6", term])
        let encoded = try set.encode(sample.text, vr: .PN)
        #expect(encoded.contains(0x1B))
        #expect(try set.decode(encoded, vr: .PN) == sample.text)
    }

    @Test func defaultRepertoireTerms() throws {
        for terms in [[], [""], ["ISO_IR 6"], ["ISO 2022 IR 6"], ["  "], ["", ""]] {
            let set = SpecificCharacterSet(terms: terms)
            #expect(set.isDefault, "\(terms)")
            #expect(set.unknownTerms.isEmpty)
            #expect(try set.decode(Array("Doe^John".utf8), vr: .PN) == "Doe^John")
        }
        #expect(SpecificCharacterSet.default.isDefault)
        #expect(SpecificCharacterSet.default.terms == [])
    }

    @Test func escapeSequencesWithoutDeclarationAreReadLeniently() throws {
        // Some writers omit (0008,0005) but still use ISO 2022 escape sequences: decode them rather than pass
        // ESC through; the text itself cannot hold ESC.
        #expect(try SpecificCharacterSet.default.decode(unpadded(Self.chrJapMulti), vr: .PN) == "やまだ^たろう")
        #expect(try charset("ISO 2022 IR 6").decode([0x41, 0x1B, 0x28, 0x42, 0x42], vr: .LO) == "AB")
        #expect(decodingError(.default, [0x41, 0x1B, 0x28, 0x5A])?.byteOffset == 1)
        #expect(encodingError(.default, "A\u{1B}(B") != nil)
        // UTF-8 has no code extension: ESC is an ordinary control character there.
        #expect(try charset("ISO_IR 192").decode([0x41, 0x1B, 0x28, 0x42], vr: .LO) == "A\u{1B}(B")
    }

    // MARK: - pydicom charset files

    struct FileSample: Sendable, CustomTestStringConvertible {
        var name: String
        var terms: [String]
        var bytes: [UInt8]
        var text: String
        var testDescription: String { name }
    }

    static let fileSamples: [FileSample] = [
        .init(
            name: "chrArab", terms: ["ISO_IR 127"],
            bytes: [0xE2, 0xC8, 0xC7, 0xE6, 0xEA, 0x5E, 0xE4, 0xE6, 0xD2, 0xC7, 0xD1, 0x20], text: "قباني^لنزار"),
        .init(
            name: "chrFren", terms: ["ISO_IR 100"],
            bytes: [0x42, 0x75, 0x63, 0x5E, 0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65],
            text: "Buc^Jérôme"),
        .init(
            name: "chrGerm", terms: ["ISO_IR 100"],
            bytes: [0xC4, 0x6E, 0x65, 0x61, 0x73, 0x5E, 0x52, 0xFC, 0x64, 0x69, 0x67, 0x65, 0x72, 0x20],
            text: "Äneas^Rüdiger"),
        .init(
            name: "chrGreek", terms: ["ISO_IR 126"],
            bytes: [0xC4, 0xE9, 0xEF, 0xED, 0xF5, 0xF3, 0xE9, 0xEF, 0xF2, 0x20], text: "Διονυσιος"),
        .init(
            name: "chrHbrw", terms: ["ISO_IR 138"],
            bytes: [0xF9, 0xF8, 0xE5, 0xEF, 0x5E, 0xE3, 0xE1, 0xE5, 0xF8, 0xE4],
            text: "שרון^דבורה"),
        // The file mixes Cyrillic with Latin c, e, y and p.
        .init(
            name: "chrRuss", terms: ["ISO_IR 144"],
            bytes: [0xBB, 0xEE, 0xDA, 0x63, 0x65, 0xDC, 0xD1, 0x79, 0x70, 0xD3],
            text: "Люкceмбypг"),
        .init(
            name: "chrH31", terms: ["", "ISO 2022 IR 87"], bytes: CharacterSetTests.chrH31,
            text: "Yamada^Tarou=山田^太郎=やまだ^たろう"),
        .init(
            name: "chrH32", terms: ["ISO 2022 IR 13", "ISO 2022 IR 87"], bytes: CharacterSetTests.chrH32,
            text: "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
        // chrSQEncoding: ISO 2022 IR 13 declared, but ESC ( B (ISO-IR 6, not declared) returns to G0.
        .init(
            name: "chrSQEncoding", terms: ["ISO 2022 IR 13", "ISO 2022 IR 87"], bytes: CharacterSetTests.chrSQEncoding,
            text: "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
        .init(
            name: "chrJapMulti", terms: ["", "ISO 2022 IR 87"], bytes: CharacterSetTests.chrJapMulti, text: "やまだ^たろう"),
        .init(
            name: "chrJapMultiExplicitIR6", terms: ["ISO 2022 IR 6", "ISO 2022 IR 87"],
            bytes: CharacterSetTests.chrJapMulti, text: "やまだ^たろう"),
        .init(
            name: "chrI2", terms: ["", "ISO 2022 IR 149"], bytes: CharacterSetTests.chrI2,
            text: "Hong^Gildong=洪^吉洞=홍^길동"),
        .init(
            name: "chrKoreanMulti", terms: ["", "ISO 2022 IR 149"],
            bytes: [0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8, 0xC8, 0xF1, 0xC1, 0xDF, 0x1B, 0x28, 0x42, 0x20], text: "김희중"),
        // pydicom drops the empty trailing component group; the value itself ends with "=".
        .init(
            name: "chrX1", terms: ["ISO_IR 192"],
            bytes: [
                0x57, 0x61, 0x6E, 0x67, 0x5E, 0x58, 0x69, 0x61, 0x6F, 0x44, 0x6F, 0x6E, 0x67, 0x3D, 0xE7, 0x8E,
                0x8B, 0x5E, 0xE5, 0xB0, 0x8F, 0xE6, 0x9D, 0xB1, 0x3D, 0x20,
            ], text: "Wang^XiaoDong=王^小東="),
        .init(
            name: "chrX2", terms: ["GB18030"],
            bytes: [
                0x57, 0x61, 0x6E, 0x67, 0x5E, 0x58, 0x69, 0x61, 0x6F, 0x44, 0x6F, 0x6E, 0x67, 0x3D, 0xCD, 0xF5,
                0x5E, 0xD0, 0xA1, 0xB6, 0xAB, 0x3D,
            ], text: "Wang^XiaoDong=王^小东="),
    ]

    static let chrH31: [UInt8] = [
        0x59, 0x61, 0x6D, 0x61, 0x64, 0x61, 0x5E, 0x54, 0x61, 0x72, 0x6F, 0x75, 0x3D, 0x1B, 0x24, 0x42,
        0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B,
        0x28, 0x42, 0x3D, 0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x42, 0x5E,
        0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42,
    ]

    static let chrH32: [UInt8] = [
        0xD4, 0xCF, 0xC0, 0xDE, 0x5E, 0xC0, 0xDB, 0xB3, 0x3D, 0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44,
        0x1B, 0x28, 0x4A, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x4A, 0x3D, 0x1B,
        0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x4A, 0x5E, 0x1B, 0x24, 0x42, 0x24,
        0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x4A,
    ]

    static let chrSQEncoding: [UInt8] = [
        0xD4, 0xCF, 0xC0, 0xDE, 0x5E, 0xC0, 0xDB, 0xB3, 0x3D, 0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44,
        0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42, 0x3D, 0x1B,
        0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x24,
        0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42,
    ]

    /// Note the pair 0x24 0x5E: a '^' byte inside a JIS X 0208 character, which is not a delimiter.
    static let chrJapMulti: [UInt8] = [
        0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42,
        0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42, 0x20,
    ]

    static let chrI2: [UInt8] = [
        0x48, 0x6F, 0x6E, 0x67, 0x5E, 0x47, 0x69, 0x6C, 0x64, 0x6F, 0x6E, 0x67, 0x3D, 0x1B, 0x24, 0x29,
        0x43, 0xFB, 0xF3, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xD1, 0xCE, 0xD4, 0xD7, 0x3D, 0x1B, 0x24, 0x29,
        0x43, 0xC8, 0xAB, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE6, 0xB5, 0xBF,
    ]

    @Test(arguments: fileSamples)
    func pydicomCharsetFile(_ sample: FileSample) throws {
        let set = SpecificCharacterSet(terms: sample.terms)
        #expect(set.unknownTerms.isEmpty)
        #expect(try set.decode(unpadded(sample.bytes), vr: .PN) == sample.text)
        // Re-encoding and decoding again gives the same text.
        let encoded = try set.encode(sample.text, vr: .PN)
        #expect(try set.decode(encoded, vr: .PN) == sample.text)
    }

    // MARK: - Japanese (PS3.5 Annex H)

    @Test func japaneseIR87PersonNameEncodesAsInAnnexH() throws {
        let set = charset("", "ISO 2022 IR 87")
        let text = "Yamada^Tarou=山田^太郎=やまだ^たろう"
        #expect(try set.encode(text, vr: .PN) == Self.chrH31)
        #expect(try set.decode(Self.chrH31, vr: .PN) == text)
    }

    @Test func japaneseIR13AndIR87PersonNameEncodesAsInAnnexH() throws {
        let set = charset("ISO 2022 IR 13", "ISO 2022 IR 87")
        let text = "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"
        #expect(try set.encode(text, vr: .PN) == Self.chrH32)
        #expect(try set.decode(Self.chrH32, vr: .PN) == text)
        let groups = try set.decode(Self.chrH32, vr: .PN).split(separator: "=", omittingEmptySubsequences: false)
        #expect(groups == ["ﾔﾏﾀﾞ^ﾀﾛｳ", "山田^太郎", "やまだ^たろう"])
    }

    @Test func japaneseMultiValuedPersonNameAndText() throws {
        let set = charset("", "ISO 2022 IR 87")
        let otherNames = unpadded(Self.chrJapMulti) + [0x5C] + Self.chrJapMulti
        #expect(try set.decode(unpadded(otherNames), vr: .PN) == "やまだ^たろう\\やまだ^たろう")
        let lt: [UInt8] = [0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42]
        #expect(try set.decode(lt, vr: .LT) == "たろう")
        #expect(try set.encode("たろう", vr: .LT) == lt)
    }

    @Test func japaneseTextReturnsToASCIIBeforeControlCharacters() throws {
        let set = charset("", "ISO 2022 IR 87")
        let encoded = try set.encode("山田\r\n太郎", vr: .LT)
        let expected: [UInt8] = [
            0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x0D, 0x0A,
            0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42,
        ]
        #expect(encoded == expected)
        #expect(try set.decode(encoded, vr: .LT) == "山田\r\n太郎")
    }

    @Test func japaneseIR159SupplementaryKanji() throws {
        // U+4E02 is in JIS X 0212 (0x30 0x21) but not in JIS X 0208.
        let set = charset("", "ISO 2022 IR 87", "ISO 2022 IR 159")
        let bytes: [UInt8] = [
            0x54, 0x61, 0x72, 0x6F, 0x75, 0x3D, 0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42,
        ]
        #expect(try set.decode(bytes, vr: .PN) == "Tarou=丂")
        #expect(try set.encode("Tarou=丂", vr: .PN) == bytes)
        // A JIS X 0208 character takes the first declared set that has it.
        #expect(
            try set.encode("山丂", vr: .LO) == [
                0x1B, 0x24, 0x42, 0x3B, 0x33, 0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42,
            ])
    }

    @Test func jisX0201RomajiYenSign() throws {
        let set = charset("ISO_IR 13")
        // In ST, LT and UT 0x5C is not a delimiter: JIS X 0201 Romaji reads it as YEN SIGN, 0x7E as OVERLINE.
        #expect(try set.decode([0x31, 0x30, 0x30, 0x5C, 0x7E], vr: .LT) == "100¥‾")
        #expect(try set.encode("100¥‾", vr: .LT) == [0x31, 0x30, 0x30, 0x5C, 0x7E])
        // In multi-valued VRs byte 0x5C is always the delimiter (PS3.5 §6.1.2.3).
        #expect(try set.decode([0x41, 0x5C, 0xB1], vr: .LO) == "A\\ｱ")
        #expect(try set.encode("A\\ｱ", vr: .LO) == [0x41, 0x5C, 0xB1])
        // ...so YEN SIGN has no encoding there, and JIS X 0201 has no REVERSE SOLIDUS or TILDE as text.
        #expect(encodingError(set, "100¥", vr: .LO) != nil)
        #expect(encodingError(set, "a~b", vr: .LT) != nil)
    }

    // MARK: - Korean (PS3.5 Annex I)

    @Test func koreanIR149PersonNameEncodesAsInAnnexI() throws {
        let set = charset("", "ISO 2022 IR 149")
        let text = "Hong^Gildong=洪^吉洞=홍^길동"
        #expect(try set.encode(text, vr: .PN) == Self.chrI2)
        #expect(try set.decode(Self.chrI2, vr: .PN) == text)
    }

    @Test func koreanG1DesignationPersistsWithinAValue() throws {
        let set = charset("", "ISO 2022 IR 149")
        // In text, one designation serves the whole line; SPACE is ASCII and needs no escape.
        let encoded = try set.encode("김희중 김희중", vr: .LO)
        #expect(
            encoded == [
                0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8, 0xC8, 0xF1, 0xC1, 0xDF, 0x20, 0xB1, 0xE8, 0xC8, 0xF1, 0xC1, 0xDF,
            ])
        #expect(try set.decode(encoded, vr: .LO) == "김희중 김희중")
    }

    @Test func koreanWithoutEscapeSequencesIsReadInTheDeclaredG1Set() throws {
        // Leniency: data that relies on the declaration alone, or designates G1 only once.
        let euc: [UInt8] = [0xB1, 0xE8, 0xC8, 0xF1, 0xC1, 0xDF]
        #expect(try charset("ISO 2022 IR 149").decode(euc, vr: .PN) == "김희중")
        #expect(try charset("", "ISO 2022 IR 149").decode(euc, vr: .PN) == "김희중")
        let once: [UInt8] = [0x1B, 0x24, 0x29, 0x43, 0xC8, 0xAB, 0x5E, 0xB1, 0xE6, 0xB5, 0xBF]
        #expect(try charset("", "ISO 2022 IR 149").decode(once, vr: .PN) == "홍^길동")
    }

    // MARK: - Chinese (PS3.5 Annex J and K)

    @Test func chineseIR58PersonName() throws {
        let set = charset("", "ISO 2022 IR 58")
        let bytes: [UInt8] = [
            0x5A, 0x68, 0x61, 0x6E, 0x67, 0x5E, 0x58, 0x69, 0x61, 0x6F, 0x44, 0x6F, 0x6E, 0x67, 0x3D,
            0x1B, 0x24, 0x29, 0x41, 0xD5, 0xC5, 0x5E, 0x1B, 0x24, 0x29, 0x41, 0xD0, 0xA1, 0xB6, 0xAB, 0x3D,
        ]
        #expect(try set.decode(bytes, vr: .PN) == "Zhang^XiaoDong=张^小东=")
        #expect(try set.encode("Zhang^XiaoDong=张^小东=", vr: .PN) == bytes)
    }

    @Test func utf8() throws {
        let set = charset("ISO_IR 192")
        let text = "Wang^XiaoDong=王^小東= 😀 é"
        #expect(try set.encode(text, vr: .PN) == Array(text.utf8))
        #expect(try set.decode(Array(text.utf8), vr: .PN) == text)
    }

    @Test func gb18030IncludingFourByteSequences() throws {
        let set = charset("GB18030")
        // Ä is 0x81 0x30 0x87 0x32 and U+1F600 is 0x94 0x39 0xFC 0x36: four-byte sequences.
        let bytes: [UInt8] = [0x41, 0x81, 0x30, 0x87, 0x32, 0x5E, 0x94, 0x39, 0xFC, 0x36, 0xCD, 0xF5]
        #expect(try set.decode(bytes, vr: .PN) == "AÄ^😀王")
        #expect(try set.encode("AÄ^😀王", vr: .PN) == bytes)
    }

    @Test func backslashInsideGB18030CharacterIsNotADelimiter() throws {
        // 乗 is 0x81 0x5C and 區 is 0x85 0x5E: second bytes equal to '\' and '^'.
        let set = charset("GB18030")
        #expect(try set.decode([0x81, 0x5C], vr: .LO) == "乗")
        #expect(try set.decode([0x81, 0x5C, 0x5C, 0x85, 0x5E], vr: .LO) == "乗\\區")
        #expect(try set.decode([0x81, 0x5C, 0x5E, 0x85, 0x5E], vr: .PN) == "乗^區")
        #expect(try set.encode("乗\\區", vr: .LO) == [0x81, 0x5C, 0x5C, 0x85, 0x5E])
        let values = try set.decode([0x81, 0x5C, 0x5C, 0x85, 0x5E], vr: .LO).split(separator: "\\")
        #expect(values == ["乗", "區"])
    }

    @Test func gbk() throws {
        let set = charset("GBK")
        #expect(try set.decode([0xD6, 0xD0, 0xCE, 0xC4, 0x5C, 0x81, 0x5C], vr: .LO) == "中文\\乗")
        #expect(try set.encode("中文\\乗", vr: .LO) == [0xD6, 0xD0, 0xCE, 0xC4, 0x5C, 0x81, 0x5C])
        // GBK has no four-byte sequences: U+1F600 cannot be encoded.
        #expect(encodingError(set, "😀") != nil)
    }

    // MARK: - Mixed sets

    @Test func latin1AndKoreanRestoresInitialG1SetAtTheEnd() throws {
        let set = charset("ISO 2022 IR 100", "ISO 2022 IR 149")
        let encoded = try set.encode("Jérôme^김", vr: .PN)
        #expect(
            encoded == [
                0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8, 0x1B, 0x2D, 0x41,
            ])
        #expect(try set.decode(encoded, vr: .PN) == "Jérôme^김")
        // After a delimiter, the decoder is back to Latin-1 in G1.
        let reset: [UInt8] = [0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8, 0x5E, 0xE9]
        #expect(try set.decode(reset, vr: .PN) == "김^é")
    }

    @Test func isoIRSpellingWithCodeExtensions() throws {
        // A multi-valued attribute with an ISO_IR spelling is read as its ISO 2022 counterpart.
        let set = charset("ISO_IR 13", "ISO 2022 IR 87")
        #expect(set.unknownTerms.isEmpty)
        #expect(try set.decode(Self.chrH32, vr: .PN) == "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう")
    }

    // MARK: - Round trips

    @Test func encodeThenDecodeRoundTripsForEverySet() throws {
        let cases: [([String], String)] = [
            (["ISO_IR 100"], "Ærøskøbing^Åse"), (["ISO_IR 101"], "Łódź^Řehoř"), (["ISO_IR 109"], "Ċirkewwa^Ħ"),
            (["ISO_IR 110"], "Šiauliai^Ūla"), (["ISO_IR 144"], "Москва^Ёж"), (["ISO_IR 127"], "عربي^ب"),
            (["ISO_IR 126"], "Αθήνα^Ω"), (["ISO_IR 138"], "ירושלים^א"), (["ISO_IR 148"], "İstanbul^Ğ"),
            (["ISO_IR 203"], "Œuvre^€Š"), (["ISO_IR 166"], "กรุงเทพ^ก"), (["ISO_IR 13"], "ｶﾀｶﾅ^ABC"),
            (["", "ISO 2022 IR 87"], "東京^タロウ=とうきょう"), (["ISO 2022 IR 13", "ISO 2022 IR 87"], "ﾄｳｷｮｳ^東京"),
            (["", "ISO 2022 IR 159"], "丂^Abc"), (["", "ISO 2022 IR 149"], "서울^한국=漢字"),
            (["", "ISO 2022 IR 58"], "北京^中国"), (["ISO_IR 192"], "Zürich^東京=서울"),
            (["GB18030"], "北京^Ä😀=乗"), (["GBK"], "北京^中国"),
            (["ISO 2022 IR 6", "ISO 2022 IR 100", "ISO 2022 IR 126", "ISO 2022 IR 144"], "Élan^Αθήνα=Москва"),
            (["", "ISO 2022 IR 87", "ISO 2022 IR 149", "ISO 2022 IR 58"], "山田^김=中国 abc"),
        ]
        for (terms, text) in cases {
            let set = SpecificCharacterSet(terms: terms)
            for vr in [VR.PN, .LO, .SH, .UC, .ST, .LT, .UT] {
                let encoded = try set.encode(text, vr: vr)
                #expect(try set.decode(encoded, vr: vr) == text, "\(terms) \(vr)")
            }
        }
    }

    @Test func decodeThenEncodeReproducesConformingBytes() throws {
        for sample in Self.singleByteSamples {
            let set = SpecificCharacterSet(terms: [sample.term])
            #expect(try set.encode(set.decode(sample.bytes, vr: .LO), vr: .LO) == sample.bytes)
        }
        for (terms, bytes) in [
            (["", "ISO 2022 IR 87"], Self.chrH31), (["ISO 2022 IR 13", "ISO 2022 IR 87"], Self.chrH32),
            (["", "ISO 2022 IR 149"], Self.chrI2),
        ] {
            let set = SpecificCharacterSet(terms: terms)
            #expect(try set.encode(set.decode(bytes, vr: .PN), vr: .PN) == bytes)
        }
    }

    // MARK: - VR handling

    @Test func onlyTextVRsUseTheSpecificCharacterSet() throws {
        let set = charset("ISO_IR 100")
        #expect(try set.decode([0xE9], vr: .LO) == "é")
        for vr in [VR.CS, .AE, .DA, .UI, .UR, .AS, .DS, .IS] {
            let error = decodingError(set, [0x41, 0xE9], vr: vr)
            #expect(error?.byteOffset == 1, "\(vr)")
            #expect(error?.term == "ISO_IR 6")
            #expect(encodingError(set, "é", vr: vr) != nil)
        }
        #expect(try set.decode(Array("ORIGINAL\\PRIMARY".utf8), vr: .CS) == "ORIGINAL\\PRIMARY")
    }

    @Test func asciiFastPathMatchesFullDecoding() throws {
        let ascii = Array("Doe^John=Jo^Hn\\Smith ".utf8)
        for terms in [
            ["ISO_IR 100"], ["ISO_IR 192"], ["GB18030"], ["GBK"], ["", "ISO 2022 IR 87"], ["ISO 2022 IR 6"],
            ["ISO_IR 166"],
        ] {
            let set = SpecificCharacterSet(terms: terms)
            #expect(try set.decode(ascii, vr: .PN) == "Doe^John=Jo^Hn\\Smith ")
            #expect(try set.encode("Doe^John", vr: .PN) == Array("Doe^John".utf8))
        }
    }

    @Test func asciiScanFindsHighBytesAndEscapesAtEveryPosition() {
        for length in 0..<24 {
            let plain = [UInt8](repeating: 0x41, count: length)
            #expect(ASCIIFastPath.isASCII(plain[...]) && ASCIIFastPath.isASCIIWithoutEscape(plain[...]))
            for position in 0..<length {
                var high = plain
                high[position] = 0xE9
                #expect(!ASCIIFastPath.isASCII(high[...]))
                var escape = plain
                escape[position] = 0x1B
                #expect(ASCIIFastPath.isASCII(escape[...]) && !ASCIIFastPath.isASCIIWithoutEscape(escape[...]))
                #expect(!ASCIIFastPath.isASCIIWithoutEscape(String(decoding: escape, as: UTF8.self)))
                // Bytes one off ESC (0x1A, 0x1C) must not be taken for it.
                escape[position] = 0x1A
                #expect(ASCIIFastPath.isASCIIWithoutEscape(escape[...]))
            }
        }
    }

    // MARK: - Errors

    @Test func undecodableBytesThrowWithTheirOffset() {
        // C1 control bytes are not part of ISO 8859.
        var error = decodingError(charset("ISO_IR 100"), [0x41, 0x42, 0x85])
        #expect(error?.byteOffset == 2)
        #expect(error?.term == "ISO_IR 100")
        // Unassigned in ISO 8859-6 (Arabic).
        #expect(decodingError(charset("ISO_IR 127"), [0xC8, 0xA1])?.byteOffset == 1)
        // Default repertoire: no byte above 0x7F.
        error = decodingError(.default, [0x41, 0xE9])
        #expect(error?.byteOffset == 1)
        // Invalid UTF-8: truncated, overlong, surrogate.
        #expect(decodingError(charset("ISO_IR 192"), [0x41, 0xC3, 0x28])?.byteOffset == 1)
        #expect(decodingError(charset("ISO_IR 192"), [0x41, 0x42, 0xC0, 0x80])?.byteOffset == 2)
        #expect(decodingError(charset("ISO_IR 192"), [0xED, 0xA0, 0x80])?.byteOffset == 0)
        #expect(decodingError(charset("ISO_IR 192"), [0x41, 0xE7, 0x8E])?.byteOffset == 1)
        // GB18030: a value ending inside a four-byte sequence.
        error = decodingError(charset("GB18030"), [0x41, 0x81, 0x30])
        #expect(error?.byteOffset == 1)
        #expect(error?.term == "GB18030")
        // ISO 2022: unknown escape sequence, unassigned JIS X 0208 code, odd byte count, no G1 set declared.
        let japanese = charset("", "ISO 2022 IR 87")
        #expect(decodingError(japanese, [0x41, 0x1B, 0x28, 0x5A, 0x41])?.byteOffset == 1)
        #expect(decodingError(japanese, [0x41, 0x1B])?.byteOffset == 1)
        error = decodingError(japanese, [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x29, 0x21])
        #expect(error?.byteOffset == 5)
        #expect(error?.term == "ISO 2022 IR 87")
        #expect(decodingError(japanese, [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45])?.byteOffset == 5)
        #expect(decodingError(japanese, [0x41, 0xA1])?.byteOffset == 1)
        // KS X 1001: incomplete pair.
        #expect(decodingError(charset("", "ISO 2022 IR 149"), [0x1B, 0x24, 0x29, 0x43, 0xB1])?.byteOffset == 4)
        // Offsets are relative to the slice.
        let slice = ([0xFF, 0xFF, 0x41, 0x85] as [UInt8])[2...]
        do {
            _ = try charset("ISO_IR 100").decode(slice, vr: .LO)
            Issue.record("expected an error")
        } catch {
            #expect(error.byteOffset == 1)
        }
    }

    @Test func unrepresentableCharactersThrowWhenEncoding() {
        let error = encodingError(charset("ISO_IR 100"), "Jérôme 山")
        #expect(error != nil)
        #expect(error?.byteOffset == nil)
        #expect(error?.description.contains("U+5C71") == true)
        #expect(encodingError(.default, "é") != nil)
        #expect(encodingError(charset("", "ISO 2022 IR 87"), "김") != nil)
        #expect(encodingError(charset("", "ISO 2022 IR 87"), "a\u{1B}b") != nil)
        #expect(encodingError(charset("ISO_IR 166"), "é") != nil)
    }

    // MARK: - Terms

    @Test func unknownTermsAreReportedAndReadAsDefault() throws {
        let set = charset("ISO_IR 999")
        #expect(set.unknownTerms == ["ISO_IR 999"])
        #expect(set.isDefault)
        #expect(try set.decode(Array("ABC".utf8), vr: .PN) == "ABC")
        let mixed = charset("", "ISO 2022 IR 87", "KOI8-R")
        #expect(mixed.unknownTerms == ["KOI8-R"])
        #expect(try mixed.decode(Self.chrH31, vr: .PN) == "Yamada^Tarou=山田^太郎=やまだ^たろう")
    }

    @Test func termsFromEncodedValue() {
        let set = SpecificCharacterSet(encodedValue: Array("\\ISO 2022 IR 87 ".utf8))
        #expect(set.terms == ["", "ISO 2022 IR 87"])
        #expect(set == SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"]))
        #expect(SpecificCharacterSet(encodedValue: Array("ISO_IR 192".utf8)).terms == ["ISO_IR 192"])
        #expect(SpecificCharacterSet(encodedValue: []).isDefault)
        #expect(SpecificCharacterSet(encodedValue: Array("  ".utf8)).isDefault)
        #expect(SpecificCharacterSet(terms: [" ISO_IR 100 "]).terms == ["ISO_IR 100"])
        #expect(!SpecificCharacterSet(terms: ["ISO_IR 100"]).isDefault)
    }

    @Test func everyDefinedTermIsRecognised() {
        let numbers = ["100", "101", "109", "110", "144", "127", "126", "138", "148", "203", "13", "166"]
        var terms = ["", "ISO_IR 6", "ISO 2022 IR 6", "ISO_IR 192", "GB18030", "GBK"]
        terms += numbers.map { "ISO_IR \($0)" } + numbers.map { "ISO 2022 IR \($0)" }
        terms += ["ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58"]
        for term in terms {
            #expect(SpecificCharacterSet(terms: [term]).unknownTerms.isEmpty, "\(term)")
        }
        for element in CodeElement.allCases {
            #expect(ResolvedCodeElement(element).isAvailable, "\(element)")
        }
    }

    // MARK: - Concurrency

    @Test func concurrentUseFromManyTasks() async throws {
        let sets: [(SpecificCharacterSet, [UInt8], String)] = [
            (charset("", "ISO 2022 IR 87"), Self.chrH31, "Yamada^Tarou=山田^太郎=やまだ^たろう"),
            (charset("", "ISO 2022 IR 149"), Self.chrI2, "Hong^Gildong=洪^吉洞=홍^길동"),
            (charset("GB18030"), [0x81, 0x5C, 0x5C, 0x85, 0x5E], "乗\\區"),
            (charset("ISO_IR 100"), [0x4A, 0xE9], "Jé"),
        ]
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var failures = 0
                    for iteration in 0..<200 {
                        let (set, bytes, text) = sets[(task + iteration) % sets.count]
                        if (try? set.decode(bytes, vr: .PN)) != text { failures += 1 }
                        if (try? set.encode(text, vr: .PN)).map({ try? set.decode($0, vr: .PN) }) != text {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
