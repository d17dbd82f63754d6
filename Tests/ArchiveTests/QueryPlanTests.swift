import Archive
import DICOMCore
import DICOMweb
import Testing

/// ``QueryPlan``: which keys the index decides exactly and which the evaluator decides, and on what.
@Suite struct QueryPlanTests {
    static func plan(_ items: [(String, String)], _ scope: QIDOScope = .allStudies) throws -> QueryPlan {
        QueryPlan(try QIDOQuery.parse(queryItems: items, scope: scope))
    }

    @Test func indexedEqualitiesAreExact() throws {
        let plan = try Self.plan([
            ("PatientID", "P1"), ("AccessionNumber", "A1\\A2"), ("StudyDate", "20240105"),
            ("StudyInstanceUID", "1.2.3,1.2.4"), ("ModalitiesInStudy", "CT"), ("StudyDescription", ""),
        ])
        #expect(plan.isExact)
        #expect(plan.indexedValues.isEmpty)
        #expect(
            plan.conditions == [
                IndexCondition(.patientID, .equals("P1")), IndexCondition(.accessionNumber, .anyOf(["A1", "A2"])),
                IndexCondition(.studyDate, .equals("20240105")),
                IndexCondition(.studyInstanceUID, .anyOf(["1.2.3", "1.2.4"])),
                IndexCondition(.modalitiesInStudy, .equals("CT")),
            ])
    }

    @Test func scopeUIDsAreConditions() throws {
        let plan = try Self.plan(
            [("SOPClassUID", "1.2.840.10008.5.1.4.1.1.2")], .instancesInSeries(study: "1.2", series: "1.3"))
        #expect(plan.level == .instance)
        #expect(
            plan.conditions == [
                IndexCondition(.studyInstanceUID, .equals("1.2")), IndexCondition(.seriesInstanceUID, .equals("1.3")),
                IndexCondition(.sopClassUID, .equals("1.2.840.10008.5.1.4.1.1.2")),
            ])
        #expect(plan.isExact)
    }

    /// Person names, wildcards, times and free text are the evaluator's, on the indexed values: no attribute
    /// set is decoded for them.
    @Test func indexedButNotExactKeysAreDecidedOnIndexedValues() throws {
        let plan = try Self.plan([
            ("PatientName", "Doe*"), ("StudyTime", "10"), ("StudyDescription", "Head"), ("PatientID", "P*"),
        ])
        #expect(plan.conditions.isEmpty)
        #expect(!plan.isExact)
        #expect(!plan.residual.needsAttributes)
        #expect(plan.residual.indexedKeys.count == 4)
        #expect(plan.indexedValues == [.patientName, .studyTime, .studyDescription, .patientID])
    }

    /// A date range narrows in the index and is confirmed on the indexed value.
    @Test func dateRangesNarrowAndAreConfirmed() throws {
        let plan = try Self.plan([("StudyDate", "20240101-")])
        #expect(plan.conditions == [IndexCondition(.studyDate, .range(lower: "20240101", upper: nil))])
        #expect(plan.residual.indexedKeys.map(\.path.tag) == [Tag(0x0008_0020)])
        let combined = try Self.plan([("StudyDate", "20240101-20240102"), ("StudyTime", "1000-")])
        #expect(combined.conditions.isEmpty)
        #expect(combined.residual.indexedRanges.count == 1)
        #expect(combined.indexedValues == [.studyDate, .studyTime])
        let series = try Self.plan([("SeriesDate", "20240101-20240102"), ("SeriesTime", "1000-")], .allSeries)
        #expect(series.residual.attributeRanges.count == 1)
        #expect(series.residual.needsAttributes)
    }

    @Test func otherKeysNeedTheAttributeSet() throws {
        let plan = try Self.plan(
            [
                ("InstanceNumber", "1"), ("RequestAttributesSequence.ScheduledProcedureStepID", "S1"),
                ("Modality", "CT"),
            ], .allInstances)
        #expect(plan.conditions == [IndexCondition(.modality, .equals("CT"))])
        #expect(plan.residual.attributeKeys.count == 2)
        #expect(plan.residual.needsAttributes)
        // Below the searched level: only the attribute set (and empty value matching) can decide.
        let studies = try Self.plan([("Modality", "CT"), ("SOPInstanceUID", "1.2.3")])
        #expect(studies.conditions.isEmpty)
        #expect(studies.residual.attributeKeys.count == 2)
    }

    @Test func matchingOptionsMoveKeysToTheEvaluator() throws {
        let empty = try Self.plan([
            ("emptyvaluematching", "true"), ("PatientID", "P1"), ("StudyInstanceUID", "1.2.3"),
        ])
        #expect(empty.conditions == [IndexCondition(.studyInstanceUID, .equals("1.2.3"))])
        #expect(empty.residual.indexedKeys.map(\.path.tag) == [Tag(0x0010_0020)])
        let single = try Self.plan([("multiplevaluematching", "false"), ("ModalitiesInStudy", "CT")])
        #expect(single.conditions == [IndexCondition(.modalitiesInStudy, .equals("CT"))])
        #expect(single.residual.indexedKeys.count == 1)
        let fuzzy = try Self.plan([("fuzzymatching", "true"), ("PatientName", "Do")])
        #expect(fuzzy.fuzzyMatching && fuzzy.residual.indexedKeys.count == 1)
    }
}
