import DICOMweb
import LanternTestSupport
import Testing

/// RFC 3986 decoding of the raw query string, and a bounded property test: no input crashes the parser.
@Suite struct QIDOQueryStringTests {
    private func decode(_ text: String) throws -> [[String]] {
        try QIDOQueryString.decode(text).map { [$0.0, $0.1] }
    }

    @Test func splitsAndDecodes() throws {
        #expect(try decode("PatientName=Doe%5EJohn&limit=10") == [["PatientName", "Doe^John"], ["limit", "10"]])
        #expect(try decode("a=1&&b=&c") == [["a", "1"], ["b", ""], ["c", ""]])
        #expect(try decode("a=x=y") == [["a", "x=y"]])
        #expect(try decode("PatientName=Ren%C3%A9%20X") == [["PatientName", "René X"]])
        #expect(try decode("") == [])
        #expect(try decode("%41%62=%2b") == [["Ab", "+"]])
    }

    @Test func plusIsASpaceInTextValuesOnly() throws {
        // Form encoding (Python's requests, Java's URLEncoder) sends a space as `+` and a plus as `%2B`.
        #expect(try decode("ProcedureStepState=IN+PROGRESS") == [["ProcedureStepState", "IN PROGRESS"]])
        #expect(
            try decode("PatientName=Doe+Jr*&StudyDescription=T1%2BC") == [
                ["PatientName", "Doe Jr*"], ["StudyDescription", "T1+C"],
            ])
        #expect(try decode("00741000=IN+PROGRESS") == [["00741000", "IN PROGRESS"]])
        #expect(
            try decode("InstanceNumber=+7&limit=+1&StudyInstanceUID=1+2") == [
                ["InstanceNumber", "+7"], ["limit", "+1"], ["StudyInstanceUID", "1+2"],
            ])
    }

    @Test func plusIsNotASpace() throws {
        let items = try QIDOQueryString.decode("AcquisitionDateTime=20240101120000+0100")
        #expect(items.map(\.1) == ["20240101120000+0100"])
        let query = try QIDOQuery.parse(queryItems: items, scope: .allInstances)
        #expect(query.keys[0].matching == .dateTime(QIDODateTime("20240101120000+0100")!))
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "%g0=1", "a=%FF", "a=%C3"])
    func malformed(text: String) {
        do throws(QIDOQueryError) {
            _ = try QIDOQueryString.decode(text)
            Issue.record("\(text) decoded")
        } catch {
            #expect(error.code == .malformedQueryString)
        }
    }

    /// Random queries built from the pieces the parser cares about, plus arbitrary bytes: every one must end in
    /// a query or a thrown error (2,000 inputs, fixed seed).
    @Test func randomInputsNeverCrash() {
        var random = SplitMix64(seed: 0x51D0)
        let pieces = [
            "PatientName", "StudyDate", "StudyTime", "AcquisitionDateTime", "StudyInstanceUID", "InstanceNumber",
            "RequestAttributesSequence", ".", "00100010", "0040A730", "includefield", "limit", "offset",
            "fuzzymatching", "all", "true", "=", "&", "%", "%2", "%C3%A9", "-", "+", "*", "?", ",", "\\", "^", "2024",
            "0101", "1200", ".5", "1.2.3", "", " ", "é", "\u{0}",
        ]
        var parsed = 0
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int(random.next() % 12) {
                if random.next() % 8 == 0 {
                    text.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: random.next())))
                } else {
                    text += pieces[Int(random.next() % UInt64(pieces.count))]
                }
            }
            QIDOFuzz.run(Array(text.utf8))
            if let items = try? QIDOQueryString.decode(text), (try? QIDO.parse(items)) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }
}
