import DICOMweb
import Testing

/// ``QIDOEvaluator``: text, UID, universal, empty and multiple value matching (PS3.4 §C.2.2.2.1–3).
@Suite struct QIDOEvaluatorTextTests {
    @Test func textIsExactAndCaseSensitive() throws {
        let stored = Stored.dataSet([("Modality", "CT"), ("AccessionNumber", " A123 ")])
        #expect(try Stored.matches("Modality", "CT", stored))
        #expect(try !Stored.matches("Modality", "ct", stored))
        #expect(try !Stored.matches("Modality", "C", stored))
        // Padding and leading spaces are insignificant for SH (PS3.5 §6.2).
        #expect(try Stored.matches("AccessionNumber", "A123", stored))
    }

    @Test func latin1TextIsDecodedBeforeComparison() throws {
        let stored = Stored.dataSet([("StudyDescription", "Thorax Übersicht")], characterSet: "ISO_IR 100")
        #expect(stored[DataDictionary.tag(forKeyword: "StudyDescription")!]?.value.bytes?.contains(0xDC) == true)
        #expect(try Stored.matches("StudyDescription", "Thorax Übersicht", stored))
        #expect(try !Stored.matches("StudyDescription", "Thorax Ubersicht", stored))
    }

    @Test func uidAndUIDList() throws {
        let stored = Stored.dataSet([("StudyInstanceUID", "1.2.3")])
        #expect(try Stored.matches("StudyInstanceUID", "1.2.3", stored))
        #expect(try !Stored.matches("StudyInstanceUID", "1.2.34", stored))
        #expect(try Stored.matches("StudyInstanceUID", "1.2.4,1.2.3", stored))
        #expect(try Stored.matches("StudyInstanceUID", "1.2.4\\1.2.3", stored))
        #expect(try !Stored.matches("StudyInstanceUID", "1.2.4,1.2.5", stored))
    }

    @Test func universalMatchesEvenAbsentAttributes() throws {
        let stored = Stored.dataSet([("PatientID", "P1")])
        #expect(try Stored.matches("PatientID", "", stored))
        #expect(try Stored.matches("PatientName", "", stored))
        #expect(try Stored.matches("PatientName", "*", stored))
        #expect(try Stored.matches("RequestAttributesSequence", "", stored))
        #expect(try Stored.matches("RequestAttributesSequence.ScheduledProcedureStepID", "", stored))
        #expect(try Stored.matches([], stored))
    }

    @Test func absentOrEmptyAttributesMatchOnlyWithEmptyValueMatching() throws {
        let absent = Stored.dataSet([("PatientName", "Doe^John")])
        let empty = Stored.dataSet([("PatientID", "")])
        let blank = Stored.dataSet([("PatientID", "  ")])
        for stored in [absent, empty, blank] {
            #expect(try !Stored.matches("PatientID", "P1", stored))
            #expect(try !Stored.matches([("PatientID", "P1"), ("emptyvaluematching", "false")], stored))
            #expect(try Stored.matches([("PatientID", "P1"), ("emptyvaluematching", "true")], stored))
            #expect(try Stored.matches([("PatientID", "P*"), ("emptyvaluematching", "true")], stored))
        }
        // A present value is still compared.
        let other = Stored.dataSet([("PatientID", "P2")])
        #expect(try !Stored.matches([("PatientID", "P1"), ("emptyvaluematching", "true")], other))
        // Dates and numbers too.
        #expect(try !Stored.matches("StudyDate", "20240101-", absent))
        #expect(try Stored.matches([("StudyDate", "20240101-"), ("emptyvaluematching", "true")], absent))
        #expect(try Stored.matches([("SeriesNumber", "3"), ("emptyvaluematching", "true")], absent))
    }

    @Test func multipleValuesMatchOnAnyValue() throws {
        let stored = Stored.dataSet(
            [("ModalitiesInStudy", "CT\\MR"), ("OtherPatientNames", "Roe^Jane\\Müller^Hans")],
            characterSet: "ISO_IR 100")
        #expect(try Stored.matches("ModalitiesInStudy", "MR", stored))
        #expect(try Stored.matches("ModalitiesInStudy", "CT", stored))
        #expect(try !Stored.matches("ModalitiesInStudy", "US", stored))
        #expect(try Stored.matches("ModalitiesInStudy", "M?", stored))
        #expect(try Stored.matches("OtherPatientNames", "MÜLLER^HANS", stored))
        #expect(try !Stored.matches("OtherPatientNames", "MULLER^HANS", stored))  // accents fold only when fuzzy
        // A list of values matches when any listed value is one of the stored ones.
        #expect(try Stored.matches("ModalitiesInStudy", "US,MR", stored))
        #expect(try Stored.matches("ModalitiesInStudy", "US\\CT", stored))
        #expect(try !Stored.matches("ModalitiesInStudy", "US,XA", stored))
        #expect(try Stored.matches([("ModalitiesInStudy", "MR"), ("multiplevaluematching", "true")], stored))
        // With multiple value matching off, only single-valued attributes can match.
        #expect(try !Stored.matches([("ModalitiesInStudy", "MR"), ("multiplevaluematching", "false")], stored))
        let single = Stored.dataSet([("ModalitiesInStudy", "MR")])
        #expect(try Stored.matches([("ModalitiesInStudy", "MR"), ("multiplevaluematching", "false")], single))
    }

    @Test func wildcardsOnTextAreCaseSensitiveAndPerCharacter() throws {
        let stored = Stored.dataSet(
            [("StudyDescription", "René Ärztin"), ("Modality", "CT")], characterSet: "ISO_IR 100")
        #expect(try Stored.matches("Modality", "C?", stored))
        #expect(try Stored.matches("Modality", "*T", stored))
        #expect(try !Stored.matches("Modality", "c?", stored))
        #expect(try !Stored.matches("Modality", "C??", stored))
        // `?` is one character, even where the character set uses one byte and UTF-8 two.
        #expect(try Stored.matches("StudyDescription", "Ren? ?rztin", stored))
        #expect(try Stored.matches("StudyDescription", "*é*", stored))
        #expect(try !Stored.matches("StudyDescription", "Ren?? ?rztin", stored))
        #expect(try Stored.matches("StudyDescription", "R*n*z*n", stored))
        #expect(try !Stored.matches("StudyDescription", "R*n*z*x", stored))
    }

    @Test func keysAreANDed() throws {
        let stored = Stored.dataSet([("PatientID", "P1"), ("Modality", "CT")])
        #expect(try Stored.matches([("PatientID", "P1"), ("Modality", "CT")], stored))
        #expect(try !Stored.matches([("PatientID", "P1"), ("Modality", "MR")], stored))
    }

    @Test func evaluatorFromExplicitKeys() throws {
        let query = try QIDOQuery.parse(queryItems: [("PatientID", "P1")], scope: .allStudies)
        let evaluator = QIDOEvaluator(keys: query.keys, emptyValueMatching: true)
        #expect(evaluator.emptyValueMatching)
        #expect(evaluator.multipleValueMatching)
        #expect(!evaluator.fuzzyMatching)
        #expect(evaluator.matches(DataSet()))
        #expect(!query.evaluator.matches(DataSet()))
    }
}
