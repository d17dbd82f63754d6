import Testing

@testable import DICOMCore

@Suite struct UIDValidationTests {
    @Test func acceptsUIDsOfPS3_5Section9_1() {
        for uid in [
            "1.2.840.10008.1.2.1", "2.25.329800735698586629295641978511506172918", "0", "1.0.2", "1.20.300",
            String(repeating: "1", count: 64), UIDGenerator.make(),
        ] {
            #expect(UIDValidation.isValid(uid), "\(uid)")
        }
    }

    @Test func refusesWhatBreaksPS3_5Section9_1() {
        let cases: [(String, String)] = [
            ("", "empty"),
            (String(repeating: "1", count: 65), "more than 64"),
            (String(repeating: "1", count: 10_001), "more than 64"),
            ("../../etc/passwd", "empty component"),
            ("1.2/3", "other than digits"),
            ("1.2%2F3", "other than digits"),
            ("1.2\\3", "other than digits"),
            ("1.2\u{0}3", "other than digits"),
            ("1.2.3 ", "other than digits"),
            ("1.2.a", "other than digits"),
            ("1..2", "empty component"),
            (".1.2", "empty component"),
            ("1.2.", "empty component"),
            ("1.02.3", "leading zero"),
            ("00", "leading zero"),
            ("1.2.٣", "other than digits"),
        ]
        for (uid, why) in cases {
            let problem = UIDValidation.problem(uid)
            #expect(problem?.contains(why) == true, "\(uid.prefix(20)): \(problem ?? "valid")")
        }
    }

    @Test func trimsEncodingPaddingOnly() {
        #expect(UIDValidation.trimmingPadding("1.2.3\u{0}") == "1.2.3")
        #expect(UIDValidation.trimmingPadding("1.2.3 \u{0}") == "1.2.3")
        #expect(UIDValidation.trimmingPadding(" 1.2.3") == " 1.2.3")
        #expect(UIDValidation.isValid(UIDValidation.trimmingPadding("1.2.840.10008.1.2\u{0}")))
        #expect(!UIDValidation.isValid(UIDValidation.trimmingPadding("1.2\u{0}.3")))
    }
}
