import Archive
import DICOMCore
import Foundation
import GRDB

/// The non-patient instances (PS3.18 §12): one table, no study or series; searches read each instance's
/// attributes and leave matching to the QIDO evaluator (the categories hold few, small instances).
extension SQLiteIndexStore {
    static let nonPatientColumns = "category, sop_uid, sop_class_uid, transfer_syntax, blob_key, size, stored_at"

    static func nonPatient(_ row: Row) -> (category: NonPatientCategory, instance: StoredInstance)? {
        guard let category = NonPatientCategory(rawValue: row["category"]), let key = BlobKey(row["blob_key"]) else {
            return nil
        }
        let instance = StoredInstance(
            studyUID: "", seriesUID: "", sopInstanceUID: row["sop_uid"], sopClassUID: row["sop_class_uid"],
            transferSyntaxUID: row["transfer_syntax"], blobKey: key, size: UInt64(row["size"] as Int64),
            pixelLayout: nil, pixelDataOffset: nil, storedAt: row["stored_at"])
        return (category, instance)
    }

    public func nonPatientInstance(
        sopInstanceUID: String
    ) async throws -> (category: NonPatientCategory, instance: StoredInstance)? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.nonPatientColumns) FROM npi_instance WHERE sop_uid = ?",
                arguments: [sopInstanceUID]
            ).flatMap(Self.nonPatient)
        }
    }

    public func nonPatientRecords(
        _ category: NonPatientCategory, after: Int64?, count: Int
    ) async throws -> [FlatRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT pk, attributes FROM npi_instance WHERE category = ? AND pk > ? ORDER BY pk LIMIT ?",
                arguments: [category.rawValue, after ?? Int64.min, max(0, count)]
            ).map { FlatRecord(position: $0["pk"], attributes: [UInt8]($0["attributes"] as Data)) }
        }
    }

    /// Inserts one non-patient instance in a commit, replacing `replacing` (journaling its blob) when given.
    static func insertNonPatient(
        _ db: Database, _ record: InstanceRecord, _ category: NonPatientCategory, replacing: StoredInstance?
    ) throws {
        let instance = record.instance
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(nonPatientColumns) FROM npi_instance WHERE sop_uid = ?"),
            arguments: [instance.sopInstanceUID]
        ).flatMap(nonPatient)
        if existing?.instance.blobKey != replacing?.blobKey {
            throw ArchiveError(.conflict, "instance \(instance.sopInstanceUID) was changed by another request")
        }
        if try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM instance WHERE sop_uid = ?)"),
            arguments: [instance.sopInstanceUID]) == true
        {
            throw ArchiveError(.conflict, "SOP Instance UID already stored in a study")
        }
        if let existing {
            try db.execute(
                sql: "INSERT OR IGNORE INTO blob_journal(blob_key) VALUES (?)",
                arguments: [existing.instance.blobKey.rawValue])
            try db.execute(sql: "DELETE FROM npi_instance WHERE sop_uid = ?", arguments: [instance.sopInstanceUID])
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO npi_instance(category, sop_uid, sop_class_uid, transfer_syntax, blob_key, size, stored_at,
                    attributes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                category.rawValue, instance.sopInstanceUID, instance.sopClassUID, instance.transferSyntaxUID,
                instance.blobKey.rawValue, Int64(instance.size), instance.storedAt,
                Data(AttributeCodec.encode(record.attributes)),
            ])
        try db.cachedStatement(sql: "DELETE FROM blob_journal WHERE blob_key = ?").execute(arguments: [
            instance.blobKey.rawValue
        ])
    }
}
