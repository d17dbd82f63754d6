import Archive
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import GRDB

/// QIDO-RS over the index (PS3.18 §10.6). The SQL narrows candidates with indexed columns only where that can
/// never drop a true match; the query's own evaluator then decides each candidate on its full attribute set,
/// so the matching rules live in one place (PS3.4 §C.2.2.2). Results come in storage order (the order
/// entities were first stored), which keeps `offset` paging stable while the archive grows.
extension SQLiteIndexStore {
    fileprivate struct Plan {
        var from: String
        var select: String
        var conditions: [String] = []
        var arguments: StatementArguments = []
        var keyColumn: String
    }

    public func search(
        _ query: QIDOQuery, limit: Int, matches: @escaping @Sendable (DataSet) -> Bool
    ) async throws -> (matches: [SearchMatch], hasMore: Bool) {
        let plan = Self.plan(query)
        let wanted = query.offset + limit
        return try await pool.read { db in
            var found: [SearchMatch] = []
            var seen = 0
            var last: Int64 = 0
            var studyCache: [Int64: DataSet] = [:]
            var seriesCache: [Int64: DataSet] = [:]
            while true {
                var conditions = plan.conditions
                conditions.append("\(plan.keyColumn) > ?")
                var arguments = plan.arguments
                _ = arguments.append(contentsOf: [last])
                let sql = """
                    SELECT \(plan.select) \(plan.from) WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY \(plan.keyColumn) LIMIT 500
                    """
                let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
                if rows.isEmpty { break }
                for row in rows {
                    last = row["key"]
                    let attributes = Self.attributes(
                        row, level: query.level, studyCache: &studyCache, seriesCache: &seriesCache)
                    guard matches(attributes) else { continue }
                    seen += 1
                    if seen > wanted { return (found, true) }
                    if seen > query.offset {
                        found.append(
                            SearchMatch(
                                attributes: attributes, studyUID: row["study_uid"],
                                seriesUID: query.level == .study ? nil : row["series_uid"],
                                sopInstanceUID: query.level == .instance ? row["sop_uid"] : nil))
                    }
                }
            }
            return (found, false)
        }
    }

    private static func attributes(
        _ row: Row, level: QIDOLevel, studyCache: inout [Int64: DataSet], seriesCache: inout [Int64: DataSet]
    ) -> DataSet {
        let studyPK: Int64 = row["study_pk"]
        var study: DataSet
        if let cached = studyCache[studyPK] {
            study = cached
        } else {
            study = AttributeCodec.decode([UInt8](row["study_attributes"] as Data))
            let modalities: String = row["modalities"]
            let classes: String = row["sop_classes"]
            if !modalities.isEmpty { study.set(DataElement(Tag(0x0008_0061), .CS, bytes: Array(modalities.utf8))) }
            if !classes.isEmpty { study.set(DataElement(Tag(0x0008_0062), .UI, bytes: Array(classes.utf8))) }
            study.set(DataElement(Tag(0x0020_1206), .IS, bytes: Array(String(row["num_series"] as Int64).utf8)))
            study.set(DataElement(Tag(0x0020_1208), .IS, bytes: Array(String(row["study_instances"] as Int64).utf8)))
            if studyCache.count > 10_000 { studyCache.removeAll() }
            studyCache[studyPK] = study
        }
        study.set(DataElement(Tag(0x0008_0056), .CS, bytes: Array("ONLINE".utf8)))
        if level == .study { return study }
        let seriesPK: Int64 = row["series_pk"]
        var series: DataSet
        if let cached = seriesCache[seriesPK] {
            series = cached
        } else {
            series = AttributeCodec.decode([UInt8](row["series_attributes"] as Data))
            series.set(
                DataElement(Tag(0x0020_1209), .IS, bytes: Array(String(row["series_instances"] as Int64).utf8)))
            if seriesCache.count > 10_000 { seriesCache.removeAll() }
            seriesCache[seriesPK] = series
        }
        if level == .series { return series.merging(study) }
        let instance = AttributeCodec.decode([UInt8](row["instance_attributes"] as Data))
        return instance.merging(series).merging(study)
    }

    private static func plan(_ query: QIDOQuery) -> Plan {
        let studyColumns = """
            st.pk AS study_pk, st.study_uid, st.attributes AS study_attributes, st.modalities, st.sop_classes,
            st.num_series, st.num_instances AS study_instances
            """
        let seriesColumns = """
            se.pk AS series_pk, se.series_uid, se.attributes AS series_attributes, se.num_instances AS series_instances
            """
        var plan: Plan
        switch query.level {
        case .study:
            plan = Plan(from: "FROM study st", select: "st.pk AS key, \(studyColumns)", keyColumn: "st.pk")
        case .series:
            plan = Plan(
                from: "FROM series se JOIN study st ON st.pk = se.study_pk",
                select: "se.pk AS key, \(studyColumns), \(seriesColumns)", keyColumn: "se.pk")
        case .instance:
            plan = Plan(
                from: "FROM instance i JOIN series se ON se.pk = i.series_pk JOIN study st ON st.pk = i.study_pk",
                select: """
                    i.pk AS key, i.sop_uid, i.attributes AS instance_attributes, \(studyColumns), \(seriesColumns)
                    """, keyColumn: "i.pk")
        }
        if let study = query.scope.studyInstanceUID { plan.add("st.study_uid = ?", [study]) }
        if case .instancesInSeries(_, let series) = query.scope { plan.add("se.series_uid = ?", [series]) }
        // With empty-value matching an absent attribute may match, so no column may narrow the search.
        guard query.emptyValueMatching != true else { return plan }
        for key in query.keys where !key.path.isNested {
            plan.narrow(by: key, level: query.level)
        }
        return plan
    }
}

extension SQLiteIndexStore.Plan {
    fileprivate mutating func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
        conditions.append(condition)
        _ = arguments.append(contentsOf: StatementArguments(values))
    }

    /// Adds an indexed-column condition implied by `key`, when there is one.
    fileprivate mutating func narrow(by key: QIDOMatchKey, level: QIDOLevel) {
        let column: String
        let minimum: QIDOLevel
        switch key.path.tag.rawValue {
        case 0x0020_000D: (column, minimum) = ("st.study_uid", .study)
        case 0x0020_000E: (column, minimum) = ("se.series_uid", .series)
        case 0x0008_0018: (column, minimum) = ("i.sop_uid", .instance)
        case 0x0008_0016: (column, minimum) = ("i.sop_class_uid", .instance)
        case 0x0010_0020: (column, minimum) = ("st.patient_id", .study)
        case 0x0008_0050: (column, minimum) = ("st.accession_number", .study)
        case 0x0008_0020: (column, minimum) = ("st.study_date", .study)
        case 0x0008_0060: (column, minimum) = ("se.modality", .series)
        case 0x0008_0061:
            if case .text(let modality) = key.matching {
                add("EXISTS (SELECT 1 FROM series m WHERE m.study_pk = st.pk AND m.modality = ?)", [modality])
            }
            return
        default: return
        }
        let depth: [QIDOLevel: Int] = [.study: 0, .series: 1, .instance: 2]
        guard depth[minimum]! <= depth[level]! else { return }
        switch key.matching {
        case .uid(let v): add("\(column) = ?", [v])
        case .text(let v): add("\(column) = ?", [v])
        case .uidList(let list):
            add("\(column) IN (\(Array(repeating: "?", count: list.count).joined(separator: ",")))", list)
        case .date(let d): add("\(column) = ?", [d.description])
        case .dateRange(let r):
            if let lower = r.lower { add("\(column) >= ?", [lower.description]) }
            if let upper = r.upper { add("\(column) <= ?", [upper.description]) }
        default: break
        }
    }
}
