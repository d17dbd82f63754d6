import ArchiveFileSystem
import ArchiveSQLite
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import Testing

@testable import Archive

/// The search part of the ``IndexStore`` contract, written against the protocol (run today on SQLite): for every
/// plan, what ``QueryService`` finds is what the shared evaluator alone finds among all the entities, in storage
/// order, with the same paging; and the candidates of a plan satisfy its conditions exactly.
@Suite struct IndexStoreSearchContractTests {
    struct Fixture {
        let folder: String
        let index: any IndexStore
        let studies: [String]
        let ownPatientInstance: String
    }

    static func instance(
        study: String, series: String, patient: (id: String, name: String), modality: String, date: String,
        time: String, accession: String, description: String, number: Int,
        sopClass: String = "1.2.840.10008.5.1.4.1.1.7"
    ) -> [UInt8] {
        var dataSet = DataSet()
        dataSet.set(.text(Tag(0x0008_0016), .UI, sopClass))
        dataSet.set(.text(Tag(0x0008_0018), .UI, UIDGenerator.make()))
        dataSet.set(.text(Tag(0x0008_0020), .DA, date))
        dataSet.set(.text(Tag(0x0008_0030), .TM, time))
        dataSet.set(.text(Tag(0x0008_0050), .SH, accession))
        dataSet.set(.text(Tag(0x0008_0060), .CS, modality))
        dataSet.set(.text(Tag(0x0008_1030), .LO, description))
        dataSet.set(.text(Tag(0x0010_0010), .PN, patient.name))
        dataSet.set(.text(Tag(0x0010_0020), .LO, patient.id))
        dataSet.set(.text(Tag(0x0020_000D), .UI, study))
        dataSet.set(.text(Tag(0x0020_000E), .UI, series))
        dataSet.set(.text(Tag(0x0020_0011), .IS, String(number % 3)))
        dataSet.set(.text(Tag(0x0020_0013), .IS, String(number)))
        return try! DICOMWriter.part10(PatientConflictTests.paddedToEvenLength(dataSet))
    }

    /// Three studies of two patients, five series, eight instances; one instance of another patient stored with
    /// patient-conflicts = accept.
    static func fixture() async throws -> Fixture {
        let (folder, index, blobs) = try PatientConflictTests.archive()
        let service = StoreService(index: index, blobs: blobs, patientConflicts: .accept)
        let studies = (0..<3).map { _ in UIDGenerator.make() }
        let series = (0..<5).map { _ in UIDGenerator.make() }
        let doe = ("P1", "Doe^John"), roe = ("P2", "Röe^Jane"), other = ("P3", "Other^Ann")
        let layout: [(Int, Int, (String, String), String, String, String, String, String)] = [
            (0, 0, doe, "CT", "20240102", "101500", "A1", "Head CT"),
            (0, 0, doe, "CT", "20240102", "101500", "A1", "Head CT"),
            (0, 1, doe, "MR", "20240102", "101500", "A1", "Head CT"),
            (1, 2, roe, "CT", "20240105", "0930", "A2", "Chest"),
            (1, 2, roe, "CT", "20240105", "0930", "A2", "Chest"),
            (2, 3, doe, "US", "20240110", "235959", "A3", "Abdomen"),
            (2, 4, doe, "SR", "20240110", "235959", "A3", "Abdomen"),
            (2, 4, other, "SR", "20240110", "235959", "A3", "Abdomen"),
        ]
        var own = ""
        for (number, entry) in layout.enumerated() {
            let bytes = instance(
                study: studies[entry.0], series: series[entry.1], patient: entry.2, modality: entry.3, date: entry.4,
                time: entry.5, accession: entry.6, description: entry.7, number: number + 1,
                sopClass: entry.3 == "SR" ? "1.2.840.10008.5.1.4.1.1.88.11" : "1.2.840.10008.5.1.4.1.1.7")
            let prepared = try await PatientConflictTests.prepare(service, bytes)
            #expect(await service.commit([prepared])[0].isStored)
            if entry.2.0 == "P3" { own = prepared.record.instance.sopInstanceUID }
        }
        return Fixture(folder: folder, index: index, studies: studies, ownPatientInstance: own)
    }

    static func uids(_ result: QueryResult) -> [String] {
        result.matches.map { $0.sopInstanceUID ?? $0.seriesUID ?? $0.studyUID }
    }

    /// Every entity of `scope`'s level, in storage order, matched by the evaluator alone.
    static func expected(_ query: QIDOQuery, _ fixture: Fixture) async throws -> [String] {
        let all = try await QueryService(index: fixture.index).search(
            QIDOQuery.parse(queryItems: [], scope: query.scope), limit: 1000)
        let evaluator = query.evaluator
        return uids(QueryResult(matches: all.matches.filter { evaluator.matches($0.attributes) }, hasMore: false))
    }

    static let cases: [(QIDOScope, [(String, String)])] = [
        (.allStudies, [("PatientID", "P1")]),
        (.allStudies, [("PatientName", "doe*")]),
        (.allStudies, [("PatientName", "ROE^JANE")]),
        (.allStudies, [("fuzzymatching", "true"), ("PatientName", "Roe")]),
        (.allStudies, [("StudyDate", "20240103-20240110")]),
        (.allStudies, [("StudyDate", "20240105")]),
        (.allStudies, [("StudyDate", "20240102-20240105"), ("StudyTime", "1000-")]),
        (.allStudies, [("StudyTime", "09-10")]),
        (.allStudies, [("ModalitiesInStudy", "CT")]),
        (.allStudies, [("ModalitiesInStudy", "MR,US")]),
        (.allStudies, [("multiplevaluematching", "false"), ("ModalitiesInStudy", "CT")]),
        (.allStudies, [("AccessionNumber", "A2\\A3")]),
        (.allStudies, [("StudyDescription", "*CT")]),
        (.allStudies, [("emptyvaluematching", "true"), ("AccessionNumber", "A1")]),
        (.allStudies, [("NumberOfStudyRelatedInstances", "3")]),
        (.allStudies, [("SOPClassesInStudy", "1.2.840.10008.5.1.4.1.1.88.11")]),
        (.allStudies, [("Modality", "CT")]),
        (.allSeries, [("Modality", "CT")]),
        (.allSeries, [("Modality", "SR\\US"), ("PatientID", "P1")]),
        (.allSeries, [("SeriesNumber", "2")]),
        (.allSeries, [("NumberOfSeriesRelatedInstances", "2"), ("ModalitiesInStudy", "SR")]),
        (.allInstances, [("PatientID", "P3")]),
        (.allInstances, [("PatientID", "P1"), ("InstanceNumber", "7")]),
        (.allInstances, [("PatientName", "Other*")]),
        (.allInstances, [("SOPClassUID", "1.2.840.10008.5.1.4.1.1.88.11")]),
        (.allInstances, [("Modality", "CT"), ("InstanceNumber", "2")]),
        (.allInstances, [("StudyDate", "-20240105"), ("includefield", "all")]),
        (.allInstances, [("InstanceAvailability", "ONLINE"), ("ModalitiesInStudy", "MR")]),
        // Indexed values and attribute sets both: light candidates, then the survivors in full.
        (.allInstances, [("PatientName", "Doe*"), ("InstanceNumber", "2")]),
        (.allSeries, [("PatientName", "*o*"), ("SeriesNumber", "1")]),
    ]

    @Test func serviceFindsWhatTheEvaluatorFinds() async throws {
        let fixture = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        var small = QueryService(index: fixture.index)
        small.batchSize = 2  // several keyset batches
        for (scope, items) in Self.cases {
            let query = try QIDOQuery.parse(queryItems: items, scope: scope)
            let expected = try await Self.expected(query, fixture)
            let found = try await QueryService(index: fixture.index).search(query, limit: 100)
            #expect(Self.uids(found) == expected, "\(items)")
            #expect(!found.hasMore)
            let batched = try await small.search(query, limit: 100)
            #expect(Self.uids(batched) == expected, "\(items), batches of 2")
            // One page in the middle: offset 1, limit 1.
            let paged = try await small.search(
                QIDOQuery.parse(queryItems: items + [("offset", "1")], scope: scope), limit: 1)
            #expect(Self.uids(paged) == Array(expected.dropFirst().prefix(1)), "\(items), page")
            #expect(paged.hasMore == (expected.count > 2), "\(items), more")
        }
        // The cases do not all match nothing (or everything).
        let counts = try await Self.cases.asyncMap { scope, items in
            try await Self.expected(QIDOQuery.parse(queryItems: items, scope: scope), fixture).count
        }
        #expect(counts.filter { $0 > 0 }.count >= 20)
    }

    @Test func scopesAndComputedAttributes() async throws {
        let fixture = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        let service = QueryService(index: fixture.index)
        let studies = try await service.search(QIDOQuery.parse(queryItems: [], scope: .allStudies), limit: 10)
        #expect(studies.matches.map(\.studyUID) == fixture.studies)
        let first = studies.matches[0].attributes
        #expect(first.string(Tag(0x0008_0061)) == "CT")
        #expect((try? first.strings(Tag(0x0008_0061))) == ["CT", "MR"])
        #expect(first.string(Tag(0x0020_1206)) == "2")
        #expect(first.string(Tag(0x0020_1208)) == "3")
        #expect(first.string(Tag(0x0008_0056)) == "ONLINE")
        let inStudy = try await service.search(
            QIDOQuery.parse(queryItems: [], scope: .seriesInStudy(study: fixture.studies[2])), limit: 10)
        #expect(inStudy.matches.count == 2)
        #expect(inStudy.matches.allSatisfy { $0.studyUID == fixture.studies[2] && $0.sopInstanceUID == nil })
        #expect(inStudy.matches.map { $0.attributes.string(Tag(0x0020_1209)) } == ["1", "2"])
        let own = try await service.search(
            QIDOQuery.parse(queryItems: [("PatientID", "P3")], scope: .instancesInStudy(study: fixture.studies[2])),
            limit: 10)
        #expect(own.matches.map(\.sopInstanceUID) == [fixture.ownPatientInstance])
        #expect(own.matches.first?.attributes.string(Tag(0x0010_0010)) == "Other^Ann")
    }

    /// Every page, whatever the batch size, on each path of the service: indexed values alone (light candidates,
    /// then the page in full), indexed values then attribute sets, attribute sets alone.
    @Test func pagesAcrossBatchesAndSteps() async throws {
        let fixture = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        let queries: [(QIDOScope, [(String, String)])] = [
            (.allInstances, [("PatientName", "*o*")]),
            (.allSeries, [("StudyTime", "0900-2359")]),
            (.allInstances, [("PatientName", "*o*"), ("InstanceAvailability", "ONLINE")]),
            (.allInstances, [("InstanceAvailability", "ONLINE")]),
        ]
        let paths = try queries.map { scope, items in
            let residual = QueryPlan(try QIDOQuery.parse(queryItems: items, scope: scope)).residual
            return [!residual.indexedKeys.isEmpty || !residual.indexedRanges.isEmpty, residual.needsAttributes]
        }
        #expect(paths == [[true, false], [true, false], [true, true], [false, true]])
        for (scope, items) in queries {
            let expected = try await Self.expected(QIDOQuery.parse(queryItems: items, scope: scope), fixture)
            #expect(expected.count >= 3, "\(items)")
            for batchSize in [1, 2, 3, 500] {
                var service = QueryService(index: fixture.index)
                service.batchSize = batchSize
                for offset in 0...(expected.count + 1) {
                    for limit in 0...3 {
                        let query = try QIDOQuery.parse(queryItems: items + [("offset", "\(offset)")], scope: scope)
                        let found = try await service.search(query, limit: limit)
                        let label = "\(items), batch \(batchSize), offset \(offset), limit \(limit)"
                        #expect(Self.uids(found) == Array(expected.dropFirst(offset).prefix(limit)), "\(label)")
                        #expect(found.hasMore == (expected.count > offset + limit), "\(label)")
                    }
                }
            }
        }
    }

    /// The port alone: `positions` restricts the candidates (ANDed with the conditions and `after`, in storage
    /// order whatever the list's order), also beyond what one statement binds.
    @Test func positionsRestrictTheCandidates() async throws {
        let fixture = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        var plan = QueryPlan(level: .instance)
        let all = try await fixture.index.candidates(plan).map(\.position)
        #expect(all.count == 8)
        plan.positions = [all[6], all[1], all[4], all[1]]
        #expect(try await fixture.index.candidates(plan).map(\.position) == [all[1], all[4], all[6]])
        plan.conditions = [IndexCondition(.modality, .equals("CT"))]  // instances 1, 2, 4 and 5
        #expect(try await fixture.index.candidates(plan).map(\.position) == [all[1], all[4]])
        plan.after = all[1]
        #expect(try await fixture.index.candidates(plan).map(\.position) == [all[4]])
        plan.positions = []
        #expect(try await fixture.index.candidates(plan).isEmpty)
        // More positions than one statement binds, most of them of no entity, paged.
        let absent = Array(Int64(1)...Int64(3000)).map { $0 + (all.max() ?? 0) }
        plan = QueryPlan(level: .instance)
        plan.positions = absent + all.reversed() + absent
        #expect(try await fixture.index.candidates(plan).map(\.position) == all)
        plan.offset = 2
        plan.limit = 3
        #expect(try await fixture.index.candidates(plan).map(\.position) == Array(all[2..<5]))
        plan.after = all[5]
        plan.offset = 1
        plan.limit = Int.max
        #expect(try await fixture.index.candidates(plan).map(\.position) == [all[7]])
    }

    /// The port alone: without attributes, candidates keep their positions, UIDs, keys and indexed values and
    /// carry empty attribute sets and aggregates.
    @Test func lightCandidatesCarryNoAttributes() async throws {
        let fixture = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        let name = QIDOMatchKey(
            path: try QIDOAttributePath.parse("PatientName", parameter: "PatientName"), matching: .personName("x"))
        for level in [QIDOLevel.study, .series, .instance] {
            var plan = QueryPlan(level: level, residual: QueryResidual(indexedKeys: [name]))
            let full = try await fixture.index.candidates(plan)
            plan.includesAttributes = false
            let light = try await fixture.index.candidates(plan)
            #expect(light.map(\.position) == full.map(\.position))
            #expect(light.map(\.studyUID) == full.map(\.studyUID))
            #expect(light.map(\.seriesUID) == full.map(\.seriesUID))
            #expect(light.map(\.sopInstanceUID) == full.map(\.sopInstanceUID))
            #expect(light.map(\.indexedValues) == full.map(\.indexedValues))
            #expect(light.map(\.study.key) == full.map(\.study.key))
            #expect(light.map(\.series?.key) == full.map(\.series?.key))
            #expect(full.allSatisfy { !$0.study.attributes.isEmpty && $0.study.instanceCount > 0 })
            #expect(light.allSatisfy { $0.study.attributes.isEmpty && $0.study.modalities.isEmpty })
            #expect(light.allSatisfy { $0.series?.attributes.isEmpty ?? (level == .study) })
            #expect(light.allSatisfy { $0.instanceAttributes == (level == .instance ? [] : nil) })
            // Paged and restricted like full candidates.
            plan.positions = full.map(\.position).suffix(2)
            #expect(try await fixture.index.candidates(plan).map(\.position) == full.map(\.position).suffix(2))
        }
    }

    /// The port alone: candidates satisfy the plan's conditions exactly, in storage order, paged.
    @Test func candidatesSatisfyTheConditions() async throws {
        let fixture = try await Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        var plan = QueryPlan(level: .series, conditions: [IndexCondition(.modalitiesInStudy, .anyOf(["MR", "US"]))])
        let series = try await fixture.index.candidates(plan)
        #expect(series.count == 4)
        #expect(series.map(\.position) == series.map(\.position).sorted())
        plan.offset = 1
        plan.limit = 2
        #expect(try await fixture.index.candidates(plan).map(\.position) == Array(series.map(\.position)[1...2]))
        plan = QueryPlan(level: .study, conditions: [IndexCondition(.studyDate, .range(lower: "20240103", upper: nil))])
        #expect(try await fixture.index.candidates(plan).map(\.studyUID) == Array(fixture.studies[1...]))
        plan = QueryPlan(level: .instance, conditions: [IndexCondition(.patientID, .equals("P1"))])
        let instances = try await fixture.index.candidates(plan)
        #expect(instances.count == 5)
        #expect(!instances.map(\.sopInstanceUID).contains(fixture.ownPatientInstance))
        plan.after = instances[2].position
        #expect(try await fixture.index.candidates(plan).map(\.position) == instances[3...].map(\.position))
        // Indexed values come with the candidates that have them.
        plan = QueryPlan(
            level: .instance,
            residual: QueryResidual(indexedKeys: [
                QIDOMatchKey(
                    path: try QIDOAttributePath.parse("PatientName", parameter: "PatientName"),
                    matching: .personName("x"))
            ]))
        let named = try await fixture.index.candidates(plan)
        #expect(
            named.first { $0.sopInstanceUID == fixture.ownPatientInstance }?.indexedValues[.patientName] == "Other^Ann")
        #expect(named.first?.indexedValues[.patientName] == "Doe^John")
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
