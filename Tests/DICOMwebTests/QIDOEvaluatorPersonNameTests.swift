import DICOMweb
import Testing

/// ``QIDOEvaluator``: Person Name matching (PS3.4 §C.2.2.2.1, §C.2.2.2.4; PS3.18 §8.3.4.2 fuzzy matching).
@Suite struct QIDOEvaluatorPersonNameTests {
    static let japanese = "Yamada^Tarou=山田^太郎=やまだ^たろう"

    @Test func caseInsensitiveAccentsFoldedOnlyWhenFuzzy() throws {
        let stored = Stored.dataSet([("PatientName", "Müller^Hans")], characterSet: "ISO_IR 100")
        for query in ["Müller^Hans", "MÜLLER^HANS", "müller^hans", "Mu\u{308}ller^Hans", "MÜLLER^hans"] {
            #expect(try Stored.matches("PatientName", query, stored), "\(query)")
        }
        let fuzzy = ("fuzzymatching", "true")
        // Accents are literal characters unless the query asks for fuzzy matching (issue 15).
        #expect(try !Stored.matches("PatientName", "MULLER^HANS", stored))
        #expect(try Stored.matches([("PatientName", "MULLER^HANS"), fuzzy], stored))
        #expect(try !Stored.matches("PatientName", "Mueller^Hans", stored))
        #expect(try !Stored.matches("PatientName", "Müller^Hanna", stored))
        // The other way round: an unaccented stored name, an accented query.
        let plain = Stored.dataSet([("PatientName", "MULLER^HANS")])
        #expect(try !Stored.matches("PatientName", "Müller^Hans", plain))
        #expect(try Stored.matches([("PatientName", "Müller^Hans"), fuzzy], plain))
    }

    @Test func wholeValueNotFamilyNameAlone() throws {
        let stored = Stored.dataSet([("PatientName", "Doe^John^^^")])
        #expect(try Stored.matches("PatientName", "Doe^John", stored))
        #expect(try Stored.matches("PatientName", "DOE^JOHN^^", stored))
        #expect(try !Stored.matches("PatientName", "Doe", stored))
        #expect(try Stored.matches("PatientName", "Doe*", stored))
        #expect(try Stored.matches("PatientName", "Doe^*", stored))
        let family = Stored.dataSet([("PatientName", "Doe")])
        #expect(try Stored.matches("PatientName", "doe", family))
        #expect(try !Stored.matches("PatientName", "Doe^John", family))
    }

    @Test(arguments: ["\\ISO 2022 IR 87", "ISO_IR 192"])
    func componentGroups(characterSet: String) throws {
        let stored = Stored.dataSet([("PatientName", Self.japanese)], characterSet: characterSet)
        // Without `=`: any one group.
        #expect(try Stored.matches("PatientName", "Yamada^Tarou", stored))
        #expect(try Stored.matches("PatientName", "YAMADA^TAROU", stored))
        #expect(try Stored.matches("PatientName", "山田^太郎", stored))
        #expect(try Stored.matches("PatientName", "やまだ^たろう", stored))
        #expect(try !Stored.matches("PatientName", "山田^花子", stored))
        // With `=`: groups by position, empty query groups unconstrained.
        #expect(try Stored.matches("PatientName", Self.japanese, stored))
        #expect(try Stored.matches("PatientName", "=山田^太郎", stored))
        #expect(try Stored.matches("PatientName", "Yamada^Tarou=", stored))
        #expect(try Stored.matches("PatientName", "==やまだ^たろう", stored))
        #expect(try !Stored.matches("PatientName", "山田^太郎=", stored))
        #expect(try !Stored.matches("PatientName", "Yamada^Tarou=山田^花子", stored))
        // Wildcards, per character.
        #expect(try Stored.matches("PatientName", "山?^*", stored))
        #expect(try Stored.matches("PatientName", "yam*", stored))
        #expect(try !Stored.matches("PatientName", "山?", stored))
        #expect(try Stored.matches("PatientName", "Yamada*=山田*", stored))
    }

    @Test func wildcardsAreCaseInsensitiveAndAccentSensitive() throws {
        let stored = Stored.dataSet([("PatientName", "Müller^Hans")], characterSet: "ISO_IR 100")
        #expect(try Stored.matches("PatientName", "MÜLL*", stored))
        #expect(try Stored.matches("PatientName", "m?ller^*", stored))
        #expect(try Stored.matches("PatientName", "*ü*", stored))
        #expect(try Stored.matches("PatientName", "*Ü*", stored))
        #expect(try Stored.matches("PatientName", "*^HANS", stored))
        #expect(try !Stored.matches("PatientName", "*^HANSI", stored))
        #expect(try !Stored.matches("PatientName", "M?ler*", stored))
        #expect(try !Stored.matches("PatientName", "MULL*", stored))
        #expect(try Stored.matches([("PatientName", "MULL*"), ("fuzzymatching", "true")], stored))
        // `*é*` finds names with é only, not every name with a plain e.
        let plain = Stored.dataSet([("PatientName", "Dupont^Rene")])
        let accented = Stored.dataSet([("PatientName", "Dupont^René")], characterSet: "ISO_IR 192")
        #expect(try !Stored.matches("PatientName", "*é*", plain))
        #expect(try Stored.matches("PatientName", "*é*", accented))
        #expect(try Stored.matches("PatientName", "*É*", accented))
        #expect(try Stored.matches([("PatientName", "*é*"), ("fuzzymatching", "true")], plain))
    }

    @Test func fuzzyMatchingByPrefixAndSoundex() throws {
        let stored = Stored.dataSet([("PatientName", "Mayer^John^Robert")])
        let fuzzy = ("fuzzymatching", "true")
        #expect(try !Stored.matches("PatientName", "Meier^John", stored))
        #expect(try Stored.matches([("PatientName", "Meier^John"), fuzzy], stored))
        #expect(try Stored.matches([("PatientName", "Meier"), fuzzy], stored))
        #expect(try Stored.matches([("PatientName", "May^J"), fuzzy], stored))
        #expect(try Stored.matches([("PatientName", "mayer^^rob"), fuzzy], stored))
        #expect(try Stored.matches([("PatientName", "Mayer^John^Robert"), fuzzy], stored))
        #expect(try !Stored.matches([("PatientName", "Miller^John"), fuzzy], stored))
        #expect(try !Stored.matches([("PatientName", "Meier^Paul"), fuzzy], stored))
        #expect(try !Stored.matches([("PatientName", "Mayer^John"), ("fuzzymatching", "false")], stored))
        // Ideographic names have no Soundex code, only prefixes.
        let japanese = Stored.dataSet([("PatientName", Self.japanese)], characterSet: "ISO_IR 192")
        #expect(try Stored.matches([("PatientName", "山^太"), fuzzy], japanese))
        #expect(try !Stored.matches([("PatientName", "川田"), fuzzy], japanese))
    }
}
