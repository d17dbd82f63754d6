import Archive
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import GRDB

/// The embedded index: SQLite through GRDB, in WAL mode with one writer and a pool of readers
/// (ARCHITECTURE §5). Every query binds its values; none is built from request text.
public struct SQLiteIndexStore: IndexStore {
    let pool: DatabasePool
    /// The node that journals through this store and holds a lease (``IndexStore/renewLease(leaseTimeout:)``):
    /// the owner of its journal entries. Unique among the nodes sharing the index.
    public let nodeID: String
    /// This run of the node (one per process start), beside the owner in the journal: a start recovers the
    /// entries of the node's earlier runs at once (their uploads are over), never those of the run itself.
    public let runID: String

    /// Opens (creating and migrating when needed) the index at `path` for node `nodeID` (the caller computes
    /// it, by default `<hostname>:<port>`; a store of one process alone may keep `local`). `runID` tells this
    /// run apart from the node's earlier ones (by default a fresh random value).
    public init(path: String, nodeID: String = "local", runID: String = BlobKey.random().rawValue) throws {
        self.nodeID = nodeID
        self.runID = runID
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        config.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: config)
        try Schema.migrator().migrate(pool)
    }

    // MARK: Instances

    static func storedInstance(_ row: Row) -> StoredInstance? {
        guard let key = BlobKey(row["blob_key"]) else { return nil }
        let layout: [UInt8]? = (row["pixel_layout"] as Data?).map { [UInt8]($0) }
        let offset: Int64? = row["pixel_offset"]
        return StoredInstance(
            studyUID: row["study_uid"], seriesUID: row["series_uid"], sopInstanceUID: row["sop_uid"],
            sopClassUID: row["sop_class_uid"], transferSyntaxUID: row["transfer_syntax"], blobKey: key,
            size: UInt64(row["size"] as Int64), pixelLayout: layout.flatMap { PixelLayout(encoded: $0) },
            pixelDataOffset: offset.map { UInt64($0) }, storedAt: row["stored_at"])
    }

    static let instanceColumns = """
        i.sop_uid, i.sop_class_uid, i.transfer_syntax, i.blob_key, i.size, i.pixel_layout, i.pixel_offset,
        i.stored_at, se.series_uid, st.study_uid
        """
    static let instanceJoin = """
        FROM instance i JOIN series se ON se.pk = i.series_pk JOIN study st ON st.pk = i.study_pk
        """

    public func instance(sopInstanceUID: String) async throws -> StoredInstance? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.instanceColumns) \(Self.instanceJoin) WHERE i.sop_uid = ?",
                arguments: [sopInstanceUID]
            ).flatMap(Self.storedInstance)
        }
    }

    public func instances(_ selection: InstanceSelection) async throws -> [StoredInstance] {
        let (condition, arguments) = Self.condition(selection)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.instanceColumns) \(Self.instanceJoin) WHERE \(condition)
                    ORDER BY se.pk, i.instance_number, i.pk
                    """, arguments: arguments
            ).compactMap(Self.storedInstance)
        }
    }

    static func condition(_ selection: InstanceSelection) -> (String, StatementArguments) {
        switch selection {
        case .study(let s): ("st.study_uid = ?", [s])
        case .series(let s, let se): ("st.study_uid = ? AND se.series_uid = ?", [s, se])
        case .instance(let s, let se, let i): ("st.study_uid = ? AND se.series_uid = ? AND i.sop_uid = ?", [s, se, i])
        }
    }

    // MARK: Writes

    public func commit(_ batch: [IndexCommit]) async throws -> [IndexCommitResult] {
        try await pool.writeWithoutTransaction { db in
            // The acknowledgement of a STOW follows this commit: make it survive power loss, not only a crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            var results: [IndexCommitResult] = []
            try db.inTransaction {
                // Study and series aggregates are recomputed once per batch, for what the batch touched.
                var touched: [Int64: Set<Int64>] = [:]
                for item in batch {
                    do {
                        var keys: (study: Int64, series: Int64)?
                        var warning: String?
                        try db.inSavepoint {
                            if let category = item.category {
                                try Self.insertNonPatient(db, item.record, category, replacing: item.replacing)
                            } else {
                                let inserted = try Self.insert(
                                    db, item.record, replacing: item.replacing, patientConflicts: item.patientConflicts)
                                try Self.recordChange(
                                    db, item.replacing == nil ? .create : .replace, item.record.instance,
                                    at: item.record.instance.storedAt)
                                keys = (inserted.study, inserted.series)
                                warning = inserted.warning
                            }
                            return .commit
                        }
                        if let keys { touched[keys.study, default: []].insert(keys.series) }
                        results.append(IndexCommitResult(patientConflictWarning: warning))
                    } catch let error as ArchiveError {
                        results.append(IndexCommitResult(refusal: error))
                    }
                }
                for (study, series) in touched {
                    try Self.refreshAggregates(db, studyPK: study, seriesPKs: Array(series))
                }
                return .commit
            }
            return results
        }
    }

    /// Inserts one instance (and upserts its study and series); returns their keys, and the warning of an
    /// instance stored into a study of another patient (``PatientConflictPolicy/accept``). Statements are
    /// prepared once per connection (`cachedStatement`).
    private static func insert(
        _ db: Database, _ record: InstanceRecord, replacing: StoredInstance?, patientConflicts: PatientConflictPolicy
    ) throws -> (study: Int64, series: Int64, warning: String?) {
        let instance = record.instance
        let levels = AttributeLevel.split(record.attributes)
        let studyBlob = Data(AttributeCodec.encode(levels.study))
        let seriesBlob = Data(AttributeCodec.encode(levels.series))
        var instanceBlob = Data(AttributeCodec.encode(levels.instance))
        let attributes = record.attributes
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Self.instanceColumns) \(Self.instanceJoin) WHERE i.sop_uid = ?"),
            arguments: [instance.sopInstanceUID]
        ).flatMap(Self.storedInstance)
        if existing?.blobKey != replacing?.blobKey {
            throw ArchiveError(.conflict, "instance \(instance.sopInstanceUID) was changed by another request")
        }
        if let existing, existing.studyUID != instance.studyUID || existing.seriesUID != instance.seriesUID {
            throw ArchiveError(
                .conflict, "instance \(instance.sopInstanceUID) is stored in another study or series")
        }
        if let category = try String.fetchOne(
            db.cachedStatement(sql: "SELECT category FROM npi_instance WHERE sop_uid = ?"),
            arguments: [instance.sopInstanceUID])
        {
            // A SOP Instance UID names one instance: not a study's and a non-patient category's at once.
            throw ArchiveError(.conflict, "SOP Instance UID already stored in \(category)")
        }
        // The study's patient: an instance of another patient is refused, or (accept) stored with its own patient
        // attributes while the study keeps its own. Decided here, in the commit transaction, so that two
        // concurrent instances of different patients cannot both be taken into one study.
        let conflict = try patientConflict(db, record, replacing: replacing)
        var warning: String?
        if let conflict {
            switch patientConflicts {
            case .reject:
                throw ArchiveError(
                    .patientConflict,
                    "study belongs to another patient: \(conflict) (patient-conflicts = reject)")
            case .accept:
                warning =
                    "stored; study belongs to another patient: \(conflict); the study keeps its patient"
                // The instance keeps its own patient attributes, which instance-level searches match first.
                var own = levels.instance
                for element in levels.study where element.tag.group == 0x0010 { own.set(element) }
                instanceBlob = Data(AttributeCodec.encode(own))
            }
        }
        // Study: insert, or refresh its attributes from the newest instance (not from one of another patient).
        if conflict == nil {
            try db.cachedStatement(
                sql: """
                    INSERT INTO study(study_uid, patient_id, patient_name, study_date, study_time, study_description,
                        accession_number, attributes)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(study_uid) DO UPDATE SET patient_id = excluded.patient_id,
                        patient_name = excluded.patient_name, study_date = excluded.study_date,
                        study_time = excluded.study_time, study_description = excluded.study_description,
                        accession_number = excluded.accession_number, attributes = excluded.attributes
                    """
            ).execute(
                arguments: [
                    instance.studyUID, Self.column(attributes, 0x0010_0020), Self.column(attributes, 0x0010_0010),
                    Self.column(attributes, 0x0008_0020), Self.column(attributes, 0x0008_0030),
                    Self.column(attributes, 0x0008_1030), Self.column(attributes, 0x0008_0050), studyBlob,
                ])
        }
        let studyPK = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT pk FROM study WHERE study_uid = ?"), arguments: [instance.studyUID])!
        if let seriesStudy = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT study_pk FROM series WHERE series_uid = ?"),
            arguments: [instance.seriesUID]),
            seriesStudy != studyPK
        {
            throw ArchiveError(.conflict, "series \(instance.seriesUID) belongs to another study")
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO series(series_uid, study_pk, modality, attributes) VALUES (?, ?, ?, ?)
                ON CONFLICT(series_uid) DO UPDATE SET modality = excluded.modality, attributes = excluded.attributes
                """
        ).execute(
            arguments: [instance.seriesUID, studyPK, attributes.string(Tag.modality), seriesBlob])
        let seriesPK = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT pk FROM series WHERE series_uid = ?"), arguments: [instance.seriesUID])!
        if let replaced = existing {
            try db.execute(
                sql: "INSERT OR IGNORE INTO blob_journal(blob_key) VALUES (?)",
                arguments: [replaced.blobKey.rawValue])
            try db.cachedStatement(sql: "DELETE FROM instance WHERE sop_uid = ?").execute(arguments: [
                instance.sopInstanceUID
            ])
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO instance(sop_uid, series_pk, study_pk, sop_class_uid, instance_number,
                    transfer_syntax, blob_key, size, pixel_layout, pixel_offset, stored_at, attributes,
                    own_patient, patient_id, patient_name)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                instance.sopInstanceUID, seriesPK, studyPK, instance.sopClassUID, attributes.int(Tag.instanceNumber),
                instance.transferSyntaxUID, instance.blobKey.rawValue, Int64(instance.size),
                instance.pixelLayout.map { Data($0.encoded) }, instance.pixelDataOffset.map { Int64($0) },
                instance.storedAt, instanceBlob, conflict == nil ? 0 : 1,
                conflict == nil ? nil : Self.column(attributes, 0x0010_0020),
                conflict == nil ? nil : Self.column(attributes, 0x0010_0010),
            ])
        try db.cachedStatement(sql: "DELETE FROM blob_journal WHERE blob_key = ?").execute(arguments: [
            instance.blobKey.rawValue
        ])
        return (studyPK, seriesPK, warning)
    }

    /// Which patient attributes of `record` differ from those of its stored study (Patient ID, Issuer of Patient
    /// ID, Patient's Name after removing padding spaces), said without their values ("Patient ID differs");
    /// `nil` when they agree, when the study is new, or when the only instance of the study is the one `record`
    /// replaces.
    static func patientConflict(_ db: Database, _ record: InstanceRecord, replacing: StoredInstance?) throws -> String?
    {
        guard
            let study = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT pk, patient_id, patient_name, attributes FROM study WHERE study_uid = ?"),
                arguments: [record.instance.studyUID])
        else { return nil }
        func same(_ a: String?, _ b: String?) -> Bool { (a ?? "").trimmingSpaces == (b ?? "").trimmingSpaces }
        let attributes = record.attributes
        var differing: [String] = []
        if !same(study["patient_id"], column(attributes, 0x0010_0020)) { differing.append("Patient ID") }
        let storedAttributes = AttributeCodec.decode([UInt8](study["attributes"] as Data))
        if !same(column(storedAttributes, 0x0010_0021), column(attributes, 0x0010_0021)) {
            differing.append("Issuer of Patient ID")
        }
        if !same(study["patient_name"], column(attributes, 0x0010_0010)) { differing.append("Patient's Name") }
        guard !differing.isEmpty else { return nil }
        if let replacing {
            // Replacing the study's only instance relabels nothing that another instance says.
            let others = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM instance WHERE study_pk = ? AND sop_uid <> ?"),
                arguments: [study["pk"] as Int64, replacing.sopInstanceUID])
            if others == 0 { return nil }
        }
        return differing.count == 1
            ? "\(differing[0]) differs"
            : differing.dropLast().joined(separator: ", ") + " and \(differing.last!) differ"
    }

    /// The value of a searched column: every value of the attribute, decoded to Unicode and joined by `\`
    /// (so the QIDO evaluator sees the attribute exactly as stored); `nil` when absent.
    static func column(_ attributes: DataSet, _ tag: UInt32) -> String? {
        guard attributes.contains(Tag(tag)) else { return nil }
        guard let values = try? attributes.strings(Tag(tag)) else { return attributes.string(Tag(tag)) }
        return values.joined(separator: "\\")
    }

    /// Recomputes the counts and lists QIDO returns (PS3.18 §10.6.3.3) for a study and some of its series.
    static func refreshAggregates(_ db: Database, studyPK: Int64, seriesPKs: [Int64]) throws {
        for pk in seriesPKs {
            try db.execute(
                sql:
                    "UPDATE series SET num_instances = (SELECT count(*) FROM instance WHERE series_pk = ?) WHERE pk = ?",
                arguments: [pk, pk])
        }
        try db.execute(
            sql: """
                UPDATE study SET
                    num_series = (SELECT count(*) FROM series WHERE study_pk = ?1),
                    num_instances = (SELECT count(*) FROM instance WHERE study_pk = ?1),
                    modalities = coalesce((SELECT group_concat(m, '\\') FROM
                        (SELECT DISTINCT modality AS m FROM series WHERE study_pk = ?1 AND modality IS NOT NULL
                         ORDER BY modality)), ''),
                    sop_classes = coalesce((SELECT group_concat(c, '\\') FROM
                        (SELECT DISTINCT sop_class_uid AS c FROM instance WHERE study_pk = ?1 ORDER BY sop_class_uid)), '')
                WHERE pk = ?1
                """, arguments: [studyPK])
    }

    public func delete(_ selection: InstanceSelection) async throws -> [BlobKey] {
        let (condition, arguments) = Self.condition(selection)
        return try await pool.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.pk, i.blob_key, i.series_pk, i.study_pk, i.sop_uid, se.series_uid, st.study_uid
                    \(Self.instanceJoin) WHERE \(condition)
                    """,
                arguments: arguments)
            let now = SQLiteIndexStore.now()
            guard !rows.isEmpty else { return [] }
            var keys: [BlobKey] = []
            var series = Set<Int64>()
            var studies = Set<Int64>()
            for row in rows {
                let key: String = row["blob_key"]
                try db.execute(sql: "INSERT OR IGNORE INTO blob_journal(blob_key) VALUES (?)", arguments: [key])
                try db.execute(sql: "DELETE FROM instance WHERE pk = ?", arguments: [row["pk"] as Int64])
                try Self.recordChange(
                    db, .delete, study: row["study_uid"], series: row["series_uid"], sop: row["sop_uid"], at: now)
                if let k = BlobKey(key) { keys.append(k) }
                series.insert(row["series_pk"])
                studies.insert(row["study_pk"])
            }
            for pk in series {
                try db.execute(
                    sql: "DELETE FROM series WHERE pk = ? AND NOT EXISTS (SELECT 1 FROM instance WHERE series_pk = ?)",
                    arguments: [pk, pk])
            }
            for pk in studies {
                try db.execute(
                    sql: "DELETE FROM study WHERE pk = ? AND NOT EXISTS (SELECT 1 FROM instance WHERE study_pk = ?)",
                    arguments: [pk, pk])
                let remaining = try Int64.fetchAll(db, sql: "SELECT pk FROM series WHERE study_pk = ?", arguments: [pk])
                if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM study WHERE pk = ?)", arguments: [pk])
                    == true
                {
                    try Self.refreshAggregates(db, studyPK: pk, seriesPKs: remaining)
                }
            }
            return keys
        }
    }
}
