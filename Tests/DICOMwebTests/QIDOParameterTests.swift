import DICOMweb
import Testing

/// PS3.18 §8.3.4: includefield, limit, offset, the boolean parameters, unknown and repeated names.
@Suite struct QIDOParameterTests {
    @Test func noParameters() throws {
        let query = try QIDO.parse([])
        #expect(query.keys.isEmpty && query.combinedDateTimeRanges.isEmpty)
        #expect(query.includeFields == .attributes([]))
        #expect(query.limit == nil && query.offset == 0)
        #expect(!query.fuzzyMatching && query.emptyValueMatching == nil && query.multipleValueMatching == nil)
        #expect(query.level == .study)
    }

    @Test func includefieldForms() throws {
        let query = try QIDO.parse([
            ("includefield", "StudyDescription,00081030"), ("includefield", "00100020"),
            ("includefield", "RequestAttributesSequence.RequestedProcedureID"),
        ])
        guard case .attributes(let paths) = query.includeFields else {
            Issue.record("expected a list")
            return
        }
        #expect(
            paths.map(\.tags) == [
                QIDO.path("StudyDescription"), QIDO.path("PatientID"),
                QIDO.path("RequestAttributesSequence", "RequestedProcedureID"),
            ])
        #expect(!query.returnsAllAttributes)
        #expect(query.returnAttributes.contains { $0.tags == QIDO.path("StudyDescription") })
    }

    @Test func includefieldAll() throws {
        #expect(try QIDO.parse([("includefield", "all")]).includeFields == .all)
        #expect(try QIDO.parse([("includefield", "PatientAge"), ("includefield", "all")]).returnsAllAttributes)
        #expect(try QIDO.parse([("includefield", "all,PatientAge")]).includeFields == .all)
    }

    @Test(arguments: [
        ("NoSuchKeyword", QIDOQueryError.Code.unknownAttribute), ("PatientName,", .invalidAttributePath),
        ("", .invalidValue), ("patientname", .unknownAttribute), ("00091010", .unknownAttribute),
        ("PatientName.PatientID", .invalidAttributePath), ("ALL", .unknownAttribute),
    ])
    func includefieldErrors(value: String, code: QIDOQueryError.Code) {
        let error = QIDO.failure([("includefield", value)])
        #expect(error?.code == code)
        #expect(error?.parameter == "includefield")
    }

    @Test func limitAndOffset() throws {
        let query = try QIDO.parse([("limit", "25"), ("offset", "0")])
        #expect(query.limit == 25 && query.offset == 0)
        #expect(try QIDO.parse([("limit", "0"), ("offset", "100")]).offset == 100)
    }

    /// Digits past `Int.max` saturate (issue 14: `offset=9223372036854775808` is an empty page, not a crash).
    @Test func hugeCountsSaturate() throws {
        for value in ["9223372036854775807", "9223372036854775808", "18446744073709551616", "99999999999999999999"] {
            let query = try QIDO.parse([("limit", value), ("offset", value)])
            #expect(query.limit == Int.max && query.offset == Int.max)
        }
        #expect(try QIDO.parse([("offset", "9223372036854774808")]).offset == 9_223_372_036_854_774_808)
    }

    @Test(arguments: ["-1", "+5", "abc", "", "1.5", " 5", "1e400", "0x10"])
    func badCounts(value: String) {
        for name in ["limit", "offset"] {
            let error = QIDO.failure([(name, value)])
            #expect(error?.code == .invalidInteger)
            #expect(error?.parameter == name)
        }
    }

    @Test func booleans() throws {
        let query = try QIDO.parse([
            ("fuzzymatching", "true"), ("emptyvaluematching", "false"), ("multiplevaluematching", "true"),
        ])
        #expect(query.fuzzyMatching && query.emptyValueMatching == false && query.multipleValueMatching == true)
        #expect(try !QIDO.parse([("fuzzymatching", "false")]).fuzzyMatching)
        for value in ["TRUE", "1", "yes", ""] {
            #expect(QIDO.failure([("fuzzymatching", value)])?.code == .invalidBoolean)
            #expect(QIDO.failure([("emptyvaluematching", value)])?.code == .invalidBoolean)
            #expect(QIDO.failure([("multiplevaluematching", value)])?.code == .invalidBoolean)
        }
    }

    @Test(arguments: ["limit", "offset", "fuzzymatching", "emptyvaluematching", "multiplevaluematching"])
    func singleUseParametersMayNotRepeat(name: String) {
        let value = name.hasSuffix("matching") ? "true" : "1"
        let error = QIDO.failure([(name, value), (name, value)])
        #expect(error?.code == .duplicateParameter)
        #expect(error?.parameter == name)
    }

    @Test func repeatedKeysAreAnError() {
        #expect(QIDO.failure([("PatientName", "A"), ("PatientName", "B")])?.code == .duplicateParameter)
        let mixed = QIDO.failure([("PatientName", "A"), ("00100010", "A")])
        #expect(mixed?.code == .duplicateParameter)
        #expect(mixed?.parameter == "00100010")
    }

    @Test func unknownParametersAreNamed() {
        let error = QIDO.failure([("foo", "1"), ("PatientID", "1"), ("orderby", "StudyDate"), ("foo", "2")])
        #expect(error?.code == .unknownParameter)
        #expect(error?.parameter == "foo, orderby")
        #expect(error?.message.contains("orderby") == true)
        #expect(QIDO.failure([("Limit", "1")])?.code == .unknownParameter)
        #expect(QIDO.failure([("patientname", "x")])?.code == .unknownParameter)
    }

    @Test func unknownAttributes() {
        #expect(QIDO.failure([("00091010", "x")])?.code == .unknownAttribute)  // private
        #expect(QIDO.failure([("00100000", "x")])?.code == .unknownAttribute)  // group length
        #expect(QIDO.failure([("ReferencedStudySequence.Nope", "x")])?.code == .unknownAttribute)
        #expect(QIDO.failure([("PatientName.PatientID", "x")])?.code == .invalidAttributePath)
        #expect(QIDO.failure([("RequestAttributesSequence..RequestedProcedureID", "x")])?.code == .invalidAttributePath)
        #expect(QIDO.failure([("RequestAttributesSequence.", "x")])?.code == .invalidAttributePath)
        #expect(QIDO.failure([(".PatientName", "x")])?.code == .invalidAttributePath)
    }

    @Test func contentNegotiationParametersAreKept() throws {
        let query = try QIDO.parse([("accept", "application/dicom+json"), ("charset", "utf-8")])
        #expect(query.acceptParameters == ["application/dicom+json"])
        #expect(query.charsetParameters == ["utf-8"])
    }

    @Test func errorsNeverEchoValues() {
        let secret = "Secret^Patient"
        for error in [
            QIDO.failure([("PatientBirthDate", "1970-0101")]), QIDO.failure([("PatientName", secret + "\\x")]),
            QIDO.failure([("StudyInstanceUID", "Secret")]), QIDO.failure([("limit", "Secret")]),
        ] {
            #expect(error != nil)
            #expect(error?.message.contains("Secret") == false)
            #expect(error?.description.contains("1970") == false)
        }
    }
}
