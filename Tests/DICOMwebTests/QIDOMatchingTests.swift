import DICOMweb
import Testing

/// PS3.4 §C.2.2.2: each matching kind is chosen from the VR and the value's form.
@Suite struct QIDOMatchingTests {
    @Test func singleValueText() throws {
        #expect(try QIDO.matching("Modality", "CT", scope: .allSeries) == .text("CT"))
        #expect(try QIDO.matching("AccessionNumber", "A123") == .text("A123"))
    }

    @Test func personNameKeepsTheRawValue() throws {
        #expect(try QIDO.matching("PatientName", "Doe^John") == .personName("Doe^John"))
        #expect(try QIDO.matching("PatientName", "doe^JOHN=ドウ") == .personName("doe^JOHN=ドウ"))
    }

    @Test func universalMatching() throws {
        #expect(try QIDO.matching("PatientName", "") == .universal)
        #expect(try QIDO.matching("PatientID", "*") == .universal)
        #expect(try QIDO.matching("PatientID", "***") == .universal)
        #expect(try QIDO.matching("StudyDate", "") == .universal)
        #expect(try QIDO.matching("StudyInstanceUID", "") == .universal)
        // A sequence with an empty value: return the whole sequence.
        let sequence = try QIDO.parse([("RequestAttributesSequence", "")], scope: .allSeries).keys[0]
        #expect(sequence.matching == .universal)
        #expect(sequence.path.vr == .SQ)
    }

    @Test func wildcardMatching() throws {
        let pattern = try QIDO.matching("PatientName", "Do?^J**n*")
        guard case .wildcard(let wildcard) = pattern else {
            Issue.record("expected a wildcard, got \(pattern)")
            return
        }
        #expect(
            wildcard.elements == [.literal("Do"), .anyCharacter, .literal("^J"), .anyRun, .literal("n"), .anyRun])
        #expect(wildcard.description == "Do?^J*n*")
        #expect(try QIDO.matching("StudyDescription", "*HEAD*") == .wildcard(QIDOWildcardPattern("*HEAD*")))
    }

    @Test(arguments: [
        ("StudyDate", "2024*"), ("StudyTime", "10?"), ("StudyInstanceUID", "1.2.*"), ("StudyInstanceUID", "*"),
        ("NumberOfStudyRelatedSeries", "1*"), ("PatientWeight", "7?"), ("AcquisitionDateTime", "2024*"),
    ])
    func wildcardIsRejectedForOtherVRs(name: String, value: String) {
        #expect(QIDO.failure([(name, value)])?.code == .unsupportedMatching)
    }

    @Test func uidSingleAndLists() throws {
        #expect(try QIDO.matching("StudyInstanceUID", "1.2.840.1") == .uid("1.2.840.1"))
        #expect(try QIDO.matching("StudyInstanceUID", "1.2.3,1.2.4") == .uidList(["1.2.3", "1.2.4"]))
        #expect(try QIDO.matching("StudyInstanceUID", "1.2.3\\1.2.4\\1.2.5") == .uidList(["1.2.3", "1.2.4", "1.2.5"]))
        #expect(
            try QIDO.matching("SOPClassUID", "1.2.3\\1.2.4,1.2.5", scope: .allInstances)
                == .uidList(["1.2.3", "1.2.4", "1.2.5"]))
    }

    @Test(arguments: [
        "1.2.3,", ",1.2.3", "1.2..3", "1.2.03", "1.2.a", "1.2.3 ", String(repeating: "1.", count: 32) + "1",
    ])
    func invalidUIDs(value: String) {
        #expect(QIDO.failure([("StudyInstanceUID", value)])?.code == .invalidValue)
    }

    @Test func numbersAndTags() throws {
        #expect(try QIDO.matching("InstanceNumber", "+7", scope: .allInstances) == .integer(7))
        #expect(try QIDO.matching("InstanceNumber", "007", scope: .allInstances) == .integer(7))
        #expect(try QIDO.matching("Rows", "512", scope: .allInstances) == .integer(512))
        #expect(try QIDO.matching("PatientWeight", "72.5") == .decimal(72.5))
        #expect(try QIDO.matching("PatientWeight", "1e2") == .decimal(100))
        #expect(try QIDO.matching("FrameIncrementPointer", "00181063") == .attributeTag(DICOMCore.Tag(0x0018_1063)))
        #expect(QIDO.failure([("InstanceNumber", "seven")])?.code == .invalidValue)
        #expect(QIDO.failure([("InstanceNumber", "99999999999999999999")])?.code == .invalidValue)
        #expect(QIDO.failure([("PatientWeight", "nan")])?.code == .invalidValue)
        #expect(QIDO.failure([("PatientWeight", "1e999")])?.code == .invalidValue)
        #expect(QIDO.failure([("FrameIncrementPointer", "0018106")])?.code == .invalidValue)
    }

    @Test func unmatchableVRs() {
        #expect(QIDO.failure([("PixelData", "x")])?.code == .unsupportedMatching)
        #expect(QIDO.failure([("PixelData", "")])?.code == .unsupportedMatching)
        #expect(QIDO.failure([("7FE00010", "")])?.code == .unsupportedMatching)
        #expect(QIDO.failure([("EncapsulatedDocument", "")])?.code == .unsupportedMatching)
        // A value on a sequence at the top level.
        #expect(QIDO.failure([("ReferencedStudySequence", "1.2.3")])?.code == .unsupportedMatching)
    }

    @Test func valueLists() throws {
        #expect(try QIDO.matching("ModalitiesInStudy", "CT\\MR") == .textList(["CT", "MR"]))
        #expect(try QIDO.matching("ModalitiesInStudy", "CT,MR\\OT") == .textList(["CT", "MR", "OT"]))
        #expect(try QIDO.matching("Modality", "CT,MR", scope: .allSeries) == .textList(["CT", "MR"]))
        #expect(try QIDO.matching("AccessionNumber", "A1\\A2") == .textList(["A1", "A2"]))
        // A comma is a character of LO, SH, PN… values: a list only in CS.
        #expect(try QIDO.matching("StudyDescription", "Head, neck") == .text("Head, neck"))
        #expect(QIDO.failure([("ModalitiesInStudy", "CT,")])?.code == .unsupportedMatching)
        #expect(QIDO.failure([("ModalitiesInStudy", "C*,MR")])?.code == .unsupportedMatching)
        #expect(QIDO.failure([("PatientName", "A\\B")])?.code == .unsupportedMatching)
        // A text key repeated, as dicomweb-client sends a list, is one list.
        let repeated = try QIDO.parse([("ModalitiesInStudy", "CT"), ("ModalitiesInStudy", "MR,US")])
        #expect(repeated.keys.map(\.matching) == [.textList(["CT", "MR", "US"])])
        #expect(QIDO.failure([("ModalitiesInStudy", "CT"), ("ModalitiesInStudy", "M*")])?.code == .duplicateParameter)
        // Single-valued text VRs may contain a backslash as a character.
        #expect(try QIDO.matching("StudyComments", "a\\b") == .text("a\\b"))
    }

    @Test func sequenceMatchingByKeywordsAndTags() throws {
        let byKeyword = try QIDO.parse(
            [("RequestAttributesSequence.ScheduledProcedureStepID", "SPS1")], scope: .allSeries
        ).keys[0]
        #expect(byKeyword.path.tags == QIDO.path("RequestAttributesSequence", "ScheduledProcedureStepID"))
        #expect(byKeyword.path.isNested)
        #expect(byKeyword.path.vr == .SH)
        #expect(byKeyword.matching == .text("SPS1"))
        #expect(byKeyword.path.description == "RequestAttributesSequence.ScheduledProcedureStepID")

        let byTag = try QIDO.parse([("00400275.00400009", "SPS1")], scope: .allSeries).keys[0]
        #expect(byTag == byKeyword)
        let mixed = try QIDO.parse([("00400275.ScheduledProcedureStepID", "SPS1")], scope: .allSeries).keys[0]
        #expect(mixed == byKeyword)

        let uid = try QIDO.parse([("ReferencedStudySequence.ReferencedSOPInstanceUID", "1.2.3,1.2.4")]).keys[0]
        #expect(uid.matching == .uidList(["1.2.3", "1.2.4"]))
        #expect(uid.path.parent == QIDO.path("ReferencedStudySequence"))
    }

    @Test func tagAndKeywordKeysAreTheSame() throws {
        let byTag = try QIDO.parse([("00100010", "Doe")]).keys[0]
        let byKeyword = try QIDO.parse([("PatientName", "Doe")]).keys[0]
        #expect(byTag == byKeyword)
        #expect(try QIDO.parse([("0020000d", "1.2.3")]).keys[0].path.tag == DICOMCore.Tag(0x0020_000D))
    }
}
