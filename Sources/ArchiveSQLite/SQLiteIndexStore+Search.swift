import Archive
import DICOMweb
import Foundation
import GRDB

/// Runs a ``QueryPlan`` over the index tables: its conditions become SQL with bind parameters only, its order
/// the entity's primary key (the order entities were first stored). Matching beyond the conditions and the
/// computed attributes are the archive's (``QueryService``); this file only translates.
extension SQLiteIndexStore {
    public func candidates(_ plan: QueryPlan) async throws -> [IndexCandidate] {
        let parts = Self.parts(plan)
        if parts.isEmpty { return [] }
        let statements = parts.map(Self.statement)
        // Decided once per search, not per row: which indexed values to read, and from which columns.
        let values = plan.indexedValues.map { ($0, "v_\($0.rawValue)") }
        let found = try await pool.read { db in
            var out: [IndexCandidate] = []
            for statement in statements {
                let rows = try Row.fetchCursor(db, sql: statement.sql, arguments: statement.arguments)
                while let row = try rows.next() { out.append(Self.candidate(row, plan: plan, values: values)) }
            }
            return out
        }
        return parts.count == 1 ? found : Array(found.dropFirst(plan.offset).prefix(plan.limit))
    }

    /// Positions bound in one statement at most, well below SQLite's bind parameter limit (999 before 3.32).
    static let positionsPerStatement = 500

    /// The plan as statements run it, in order: itself, or, when it lists more ``QueryPlan/positions`` than one
    /// statement binds, one plan per slice of its sorted positions, each unpaged but for the page's end (the
    /// caller pages their concatenation); none when it lists no position.
    static func parts(_ plan: QueryPlan) -> [QueryPlan] {
        guard let positions = plan.positions else { return [plan] }
        let keys = Set(positions).sorted()
        if keys.isEmpty { return [] }
        var part = plan
        part.positions = keys
        if keys.count <= positionsPerStatement { return [part] }
        part.offset = 0
        let end = plan.offset.addingReportingOverflow(plan.limit)
        part.limit = end.overflow ? Int.max : end.partialValue
        return stride(from: 0, to: keys.count, by: positionsPerStatement).map { start in
            part.positions = Array(keys[start..<min(start + positionsPerStatement, keys.count)])
            return part
        }
    }

    /// The SQL expression holding an indexed attribute's value for entities of `level`.
    static func expression(_ attribute: IndexedAttribute, level: QIDOLevel) -> String {
        switch attribute {
        case .studyInstanceUID: "st.study_uid"
        case .seriesInstanceUID: "se.series_uid"
        case .sopInstanceUID: "i.sop_uid"
        case .sopClassUID: "i.sop_class_uid"
        // An instance stored into a study of another patient (patient-conflicts = accept) has its own patient.
        case .patientID:
            level == .instance ? "(CASE WHEN i.own_patient THEN i.patient_id ELSE st.patient_id END)" : "st.patient_id"
        case .patientName:
            level == .instance
                ? "(CASE WHEN i.own_patient THEN i.patient_name ELSE st.patient_name END)" : "st.patient_name"
        case .studyDate: "st.study_date"
        case .studyTime: "st.study_time"
        case .accessionNumber: "st.accession_number"
        case .studyDescription: "st.study_description"
        case .modality: "se.modality"
        case .modalitiesInStudy: "nullif(st.modalities, '')"
        }
    }

    private struct Statement {
        var sql: String
        var arguments: StatementArguments
    }

    private static func statement(_ plan: QueryPlan) -> Statement {
        // A light candidate reads no blob nor aggregate: SQLite then skips the pages holding the attribute sets.
        var study = "st.pk AS study_pk, st.study_uid"
        var series = "se.pk AS series_pk, se.series_uid"
        var instance = "i.pk AS key, i.sop_uid"
        if plan.includesAttributes {
            study += """
                , st.attributes AS study_attributes, st.modalities, st.sop_classes, st.num_series,
                st.num_instances AS study_instances
                """
            series += ", se.attributes AS series_attributes, se.num_instances AS series_instances"
            instance += ", i.attributes AS instance_attributes"
        }
        var select: String
        let from: String
        let key: String
        switch plan.level {
        case .study:
            (select, from, key) = ("st.pk AS key, \(study)", "FROM study st", "st.pk")
        case .series:
            (select, from, key) = (
                "se.pk AS key, \(study), \(series)", "FROM series se JOIN study st ON st.pk = se.study_pk", "se.pk"
            )
        case .instance:
            (select, from, key) = (
                "\(instance), \(study), \(series)",
                "FROM instance i JOIN series se ON se.pk = i.series_pk JOIN study st ON st.pk = i.study_pk", "i.pk"
            )
        }
        for attribute in plan.indexedValues.sorted(by: { $0.rawValue < $1.rawValue }) {
            select += ", \(expression(attribute, level: plan.level)) AS v_\(attribute.rawValue)"
        }
        var conditions: [String] = []
        var arguments = StatementArguments()
        func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
            conditions.append(condition)
            _ = arguments.append(contentsOf: StatementArguments(values))
        }
        for condition in plan.conditions {
            translate(condition, level: plan.level, add)
        }
        if let after = plan.after { add("\(key) > ?", [after]) }
        if let positions = plan.positions {
            add("\(key) IN (\(Array(repeating: "?", count: positions.count).joined(separator: ",")))", positions)
        }
        var sql = "SELECT \(select) \(from)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY \(key)"
        if plan.limit < Int.max || plan.offset > 0 {
            sql += " LIMIT ? OFFSET ?"
            // SQLite reads a negative limit as none.
            _ = arguments.append(contentsOf: [plan.limit == Int.max ? -1 : Int64(plan.limit), Int64(plan.offset)])
        }
        return Statement(sql: sql, arguments: arguments)
    }

    private static func translate(
        _ condition: IndexCondition, level: QIDOLevel, _ add: (String, [any DatabaseValueConvertible]) -> Void
    ) {
        let values: [String]
        switch condition.predicate {
        case .equals(let value): values = [value]
        case .anyOf(let list): values = list
        case .range(let lower, let upper):
            let column = expression(condition.attribute, level: level)
            if lower == nil && upper == nil { add("\(column) IS NOT NULL", []) }
            if let lower { add("\(column) >= ?", [lower]) }
            if let upper { add("\(column) <= ?", [upper]) }
            return
        }
        let marks =
            values.count == 1 ? "= ?" : "IN (\(Array(repeating: "?", count: values.count).joined(separator: ",")))"
        switch (condition.attribute, level) {
        case (.modalitiesInStudy, _):
            add("EXISTS (SELECT 1 FROM series m WHERE m.study_pk = st.pk AND m.modality \(marks))", values)
        case (.patientID, .instance):
            // Both indexed: the study's Patient ID, or the instance's own; then the one that applies.
            add(
                "(i.study_pk IN (SELECT pk FROM study WHERE patient_id \(marks)) OR i.patient_id \(marks))",
                values + values)
            add("\(expression(.patientID, level: level)) \(marks)", values)
        default:
            add("\(expression(condition.attribute, level: level)) \(marks)", values)
        }
    }

    private static func candidate(
        _ row: Row, plan: QueryPlan, values wanted: [(IndexedAttribute, String)]
    ) -> IndexCandidate {
        var values: [IndexedAttribute: String] = [:]
        for (attribute, column) in wanted {
            if let value = row[column] as String? { values[attribute] = value }
        }
        func list(_ text: String) -> [String] {
            text.isEmpty ? [] : text.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)
        }
        // A light candidate (no attributes included) has empty blobs and aggregates.
        let full = plan.includesAttributes
        func blob(_ column: String) -> [UInt8] { full ? [UInt8](row[column] as Data) : [] }
        func count(_ column: String) -> Int { full ? Int(row[column] as Int64) : 0 }
        let study = IndexCandidate.Study(
            key: row["study_pk"], attributes: blob("study_attributes"),
            modalities: full ? list(row["modalities"]) : [], sopClasses: full ? list(row["sop_classes"]) : [],
            seriesCount: count("num_series"), instanceCount: count("study_instances"))
        var series: IndexCandidate.Series?
        if plan.level != .study {
            series = IndexCandidate.Series(
                key: row["series_pk"], attributes: blob("series_attributes"), instanceCount: count("series_instances"))
        }
        return IndexCandidate(
            position: row["key"], studyUID: row["study_uid"],
            seriesUID: plan.level == .study ? nil : row["series_uid"],
            sopInstanceUID: plan.level == .instance ? row["sop_uid"] : nil, indexedValues: values, study: study,
            series: series, instanceAttributes: plan.level == .instance ? blob("instance_attributes") : nil)
    }
}
