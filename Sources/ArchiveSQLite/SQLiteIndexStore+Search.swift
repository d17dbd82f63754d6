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
        /// One evaluator per key decided on a column by `lantern_qido_key(index, column)`.
        var columnEvaluators: [QIDOEvaluator] = []
        /// Whether the SQL conditions decide every key exactly, so no candidate needs its attributes decoded
        /// to be judged and `LIMIT`/`OFFSET` can run in SQL.
        var exact = true
    }

    public func search(
        _ query: QIDOQuery, limit: Int, matches: @escaping @Sendable (DataSet) -> Bool
    ) async throws -> (matches: [SearchMatch], hasMore: Bool) {
        let plan = Self.plan(query)
        // Offsets and limits come from requests: saturated, never trapping (an offset past every match is an
        // empty page).
        let limit = max(0, min(limit, Int.max - 1))
        let wanted = query.offset.addingReportingOverflow(limit).overflow ? Int.max : query.offset + limit
        let evaluators = plan.columnEvaluators
        // Decides one key on one column value, with the query's own evaluator (the attribute rebuilt from the
        // column as Unicode text), so SQL filtering and Swift filtering can never disagree.
        let keyFunction = DatabaseFunction("lantern_qido_key", argumentCount: 3, pure: true) { values in
            guard let index = Int.fromDatabaseValue(values[0]), evaluators.indices.contains(index),
                let raw = Int.fromDatabaseValue(values[1])
            else { return false }
            var dataSet = DataSet()
            if let text = String.fromDatabaseValue(values[2]) {
                dataSet.set(DataElement(.specificCharacterSet, .CS, bytes: Array("ISO_IR 192".utf8)))
                dataSet.set(DataElement(Tag(UInt32(raw)), Self.columnVR(UInt32(raw)), bytes: Array(text.utf8)))
            }
            return evaluators[index].matches(dataSet)
        }
        return try await pool.read { db in
            db.add(function: keyFunction)
            defer { db.remove(function: keyFunction) }
            var found: [SearchMatch] = []
            var studyCache: [Int64: DataSet] = [:]
            var seriesCache: [Int64: DataSet] = [:]
            func match(_ row: Row, _ attributes: DataSet) -> SearchMatch {
                SearchMatch(
                    attributes: attributes, studyUID: row["study_uid"],
                    seriesUID: query.level == .study ? nil : row["series_uid"],
                    sopInstanceUID: query.level == .instance ? row["sop_uid"] : nil)
            }
            let whereClause = plan.conditions.isEmpty ? "" : "WHERE " + plan.conditions.joined(separator: " AND ")
            if plan.exact {
                var arguments = plan.arguments
                _ = arguments.append(contentsOf: [limit + 1, query.offset])
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT \(plan.select) \(plan.from) \(whereClause) ORDER BY \(plan.keyColumn) LIMIT ? OFFSET ?",
                    arguments: arguments)
                for row in rows.prefix(limit) {
                    let attributes = Self.attributes(
                        row, level: query.level, studyCache: &studyCache, seriesCache: &seriesCache)
                    found.append(match(row, attributes))
                }
                return (found, rows.count > limit)
            }
            var seen = 0
            var last: Int64 = 0
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
                    if seen > query.offset { found.append(match(row, attributes)) }
                }
            }
            return (found, false)
        }
    }

    /// The columns that hold an attribute's full value, by tag: (column, lowest level it exists at).
    static let columns: [UInt32: (column: String, level: QIDOLevel)] = [
        0x0020_000D: ("st.study_uid", .study), 0x0010_0020: ("st.patient_id", .study),
        0x0010_0010: ("st.patient_name", .study), 0x0008_0020: ("st.study_date", .study),
        0x0008_0030: ("st.study_time", .study), 0x0008_1030: ("st.study_description", .study),
        0x0008_0050: ("st.accession_number", .study), 0x0008_0061: ("st.modalities", .study),
        0x0020_000E: ("se.series_uid", .series), 0x0008_0060: ("se.modality", .series),
        0x0008_0018: ("i.sop_uid", .instance), 0x0008_0016: ("i.sop_class_uid", .instance),
    ]

    /// The instance columns that hold the patient of an instance stored into a study of another patient
    /// (`own_patient`, ``PatientConflictPolicy/accept``), by tag.
    static let ownPatientColumns: [UInt32: String] = [0x0010_0020: "i.patient_id", 0x0010_0010: "i.patient_name"]

    static func columnVR(_ tag: UInt32) -> VR {
        switch tag {
        case 0x0010_0010: .PN
        case 0x0008_0020: .DA
        case 0x0008_0030: .TM
        case 0x0008_1030, 0x0010_0020: .LO
        case 0x0008_0050: .SH
        case 0x0008_0060, 0x0008_0061: .CS
        default: .UI
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
        let depth: [QIDOLevel: Int] = [.study: 0, .series: 1, .instance: 2]
        if !query.combinedDateTimeRanges.isEmpty { plan.exact = false }
        for key in query.keys {
            if case .universal = key.matching { continue }
            guard !key.path.isNested, let (tableColumn, level) = columns[key.path.tag.rawValue],
                depth[level]! <= depth[query.level]!
            else {
                plan.exact = false
                continue
            }
            var column = tableColumn
            if query.level == .instance, let own = ownPatientColumns[key.path.tag.rawValue] {
                // An instance stored into a study of another patient is matched on its own patient.
                column = "(CASE WHEN i.own_patient THEN \(own) ELSE \(column) END)"
            }
            plan.add(
                "lantern_qido_key(?, ?, \(column))", [plan.columnEvaluators.count, Int(key.path.tag.rawValue)])
            plan.columnEvaluators.append(
                QIDOEvaluator(
                    keys: [key], fuzzyMatching: query.fuzzyMatching, emptyValueMatching: query.emptyValueMatching,
                    multipleValueMatching: query.multipleValueMatching))
            // An index condition in front, where one applies (and cannot drop an empty-value match).
            if query.emptyValueMatching != true { plan.narrow(by: key, level: query.level) }
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
            switch key.matching {
            case .text(let modality):
                add("EXISTS (SELECT 1 FROM series m WHERE m.study_pk = st.pk AND m.modality = ?)", [modality])
            case .textList(let list):
                let marks = Array(repeating: "?", count: list.count).joined(separator: ",")
                add("EXISTS (SELECT 1 FROM series m WHERE m.study_pk = st.pk AND m.modality IN (\(marks)))", list)
            default: break
            }
            return
        default: return
        }
        let depth: [QIDOLevel: Int] = [.study: 0, .series: 1, .instance: 2]
        guard depth[minimum]! <= depth[level]! else { return }
        if level == .instance, column == "st.patient_id" {
            // The study's Patient ID, or the instance's own (an instance of another patient, stored with
            // patient-conflicts = accept); both indexed.
            switch key.matching {
            case .text(let v):
                add("(i.study_pk IN (SELECT pk FROM study WHERE patient_id = ?) OR i.patient_id = ?)", [v, v])
            case .uidList(let list), .textList(let list):
                let marks = Array(repeating: "?", count: list.count).joined(separator: ",")
                add(
                    "(i.study_pk IN (SELECT pk FROM study WHERE patient_id IN (\(marks))) OR i.patient_id IN (\(marks)))",
                    list + list)
            default: break
            }
            return
        }
        switch key.matching {
        case .uid(let v): add("\(column) = ?", [v])
        case .text(let v): add("\(column) = ?", [v])
        case .uidList(let list), .textList(let list):
            add("\(column) IN (\(Array(repeating: "?", count: list.count).joined(separator: ",")))", list)
        case .date(let d): add("\(column) = ?", [d.description])
        case .dateRange(let r):
            if let lower = r.lower { add("\(column) >= ?", [lower.description]) }
            if let upper = r.upper { add("\(column) <= ?", [upper.description]) }
        default: break
        }
    }
}
