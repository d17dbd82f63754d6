import DICOMweb
import Testing

/// PS3.18 §10.6.1 (resources) and §10.6.3.3 (default return attributes per level).
@Suite struct QIDOScopeTests {
    @Test func scopesFromLevelAndUIDs() throws {
        #expect(try QIDOScope(level: .study) == .allStudies)
        #expect(try QIDOScope(level: .series) == .allSeries)
        #expect(try QIDOScope(level: .series, studyInstanceUID: "1.2") == .seriesInStudy(study: "1.2"))
        #expect(try QIDOScope(level: .instance) == .allInstances)
        #expect(try QIDOScope(level: .instance, studyInstanceUID: "1.2") == .instancesInStudy(study: "1.2"))
        let inSeries = try QIDOScope(level: .instance, studyInstanceUID: "1.2", seriesInstanceUID: "1.2.3")
        #expect(inSeries == .instancesInSeries(study: "1.2", series: "1.2.3"))
        #expect(
            inSeries.level == .instance && inSeries.studyInstanceUID == "1.2" && inSeries.seriesInstanceUID == "1.2.3")
        let query = try QIDOQuery.parse(queryItems: [("Modality", "CT")], level: .series, studyInstanceUID: "1.2")
        #expect(query.scope == .seriesInStudy(study: "1.2") && query.level == .series)
    }

    @Test func invalidScopes() {
        func code(_ body: () throws(QIDOQueryError) -> QIDOScope) -> QIDOQueryError.Code? {
            do throws(QIDOQueryError) {
                _ = try body()
                return nil
            } catch { return error.code }
        }
        #expect(
            code { () throws(QIDOQueryError) in try QIDOScope(level: .study, studyInstanceUID: "1.2") } == .invalidScope
        )
        #expect(
            code { () throws(QIDOQueryError) in try QIDOScope(level: .instance, seriesInstanceUID: "1.2") }
                == .invalidScope)
        #expect(
            code { () throws(QIDOQueryError) in
                try QIDOScope(level: .series, studyInstanceUID: "1.2", seriesInstanceUID: "1.3")
            } == .invalidScope)
        #expect(
            code { () throws(QIDOQueryError) in try QIDOScope(level: .series, studyInstanceUID: "abc") }
                == .invalidScope)
    }

    private func keywords(_ paths: [QIDOAttributePath]) -> [String] { paths.map(\.description) }

    @Test func studyDefaults() {
        #expect(
            keywords(QIDOReturnAttributes.defaults(for: .study)) == [
                "SpecificCharacterSet", "StudyDate", "StudyTime", "AccessionNumber", "InstanceAvailability",
                "ModalitiesInStudy", "ReferringPhysicianName", "TimezoneOffsetFromUTC", "RetrieveURL", "PatientName",
                "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyID",
                "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances",
            ])
    }

    @Test func seriesDefaults() {
        #expect(
            keywords(QIDOReturnAttributes.defaults(for: .series)) == [
                "SpecificCharacterSet", "Modality", "TimezoneOffsetFromUTC", "SeriesDescription", "RetrieveURL",
                "SeriesInstanceUID", "SeriesNumber", "NumberOfSeriesRelatedInstances",
                "PerformedProcedureStepStartDate", "PerformedProcedureStepStartTime",
                "RequestAttributesSequence.ScheduledProcedureStepID", "RequestAttributesSequence.RequestedProcedureID",
            ])
    }

    @Test func instanceDefaults() {
        #expect(
            keywords(QIDOReturnAttributes.defaults(for: .instance)) == [
                "SpecificCharacterSet", "SOPClassUID", "SOPInstanceUID", "InstanceAvailability",
                "TimezoneOffsetFromUTC", "RetrieveURL", "InstanceNumber", "Rows", "Columns", "BitsAllocated",
                "NumberOfFrames",
            ])
    }

    @Test func scopeDefaultsAddUpperLevels() {
        let study = Set(QIDOReturnAttributes.defaults(for: .study))
        let series = Set(QIDOReturnAttributes.defaults(for: .series))
        let instance = Set(QIDOReturnAttributes.defaults(for: .instance))
        let allSeries = QIDOReturnAttributes.defaults(for: QIDOScope.allSeries)
        #expect(Set(allSeries) == series.union(study) && allSeries.count == Set(allSeries).count)
        #expect(Set(QIDOReturnAttributes.defaults(for: QIDOScope.seriesInStudy(study: "1"))) == series)
        #expect(
            Set(QIDOReturnAttributes.defaults(for: QIDOScope.instancesInStudy(study: "1"))) == instance.union(series))
        let all = QIDOReturnAttributes.defaults(for: QIDOScope.allInstances)
        #expect(Set(all) == instance.union(series).union(study) && all.count == Set(all).count)
        #expect(
            Set(QIDOReturnAttributes.defaults(for: QIDOScope.instancesInSeries(study: "1", series: "2"))) == instance)
    }

    @Test func returnAttributesIncludeKeys() throws {
        let query = try QIDOQuery.parse(
            queryItems: [("PatientAge", ""), ("includefield", "StudyDescription")], scope: .allStudies)
        let names = keywords(query.returnAttributes)
        #expect(names.prefix(17) == keywords(QIDOReturnAttributes.defaults(for: .study))[...])
        #expect(names.suffix(2) == ["StudyDescription", "PatientAge"])
    }
}
