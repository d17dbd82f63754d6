import Archive
import Foundation
import GRDB

/// The index schema, as ordered migrations (ARCHITECTURE §5). Patients live with their studies (the Study Root
/// model, PS3.4 §C.6.2): the columns are the attributes searched most, the `attributes` blobs hold every
/// attribute of the level (``Archive/AttributeCodec``).
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE study (
                        pk INTEGER PRIMARY KEY,
                        study_uid TEXT NOT NULL UNIQUE,
                        patient_id TEXT,
                        patient_name TEXT,
                        study_date TEXT,
                        study_time TEXT,
                        study_description TEXT,
                        accession_number TEXT,
                        modalities TEXT NOT NULL DEFAULT '',
                        sop_classes TEXT NOT NULL DEFAULT '',
                        num_series INTEGER NOT NULL DEFAULT 0,
                        num_instances INTEGER NOT NULL DEFAULT 0,
                        attributes BLOB NOT NULL
                    );
                    CREATE INDEX study_patient_id ON study(patient_id);
                    CREATE INDEX study_date ON study(study_date);
                    CREATE INDEX study_accession ON study(accession_number);
                    CREATE TABLE series (
                        pk INTEGER PRIMARY KEY,
                        series_uid TEXT NOT NULL UNIQUE,
                        study_pk INTEGER NOT NULL REFERENCES study(pk) ON DELETE CASCADE,
                        modality TEXT,
                        num_instances INTEGER NOT NULL DEFAULT 0,
                        attributes BLOB NOT NULL
                    );
                    CREATE INDEX series_study ON series(study_pk);
                    CREATE INDEX series_modality ON series(modality, study_pk);
                    CREATE TABLE instance (
                        pk INTEGER PRIMARY KEY,
                        sop_uid TEXT NOT NULL UNIQUE,
                        series_pk INTEGER NOT NULL REFERENCES series(pk) ON DELETE CASCADE,
                        study_pk INTEGER NOT NULL REFERENCES study(pk) ON DELETE CASCADE,
                        sop_class_uid TEXT NOT NULL,
                        instance_number INTEGER,
                        transfer_syntax TEXT NOT NULL,
                        blob_key TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        pixel_layout BLOB,
                        pixel_offset INTEGER,
                        stored_at INTEGER NOT NULL,
                        attributes BLOB NOT NULL
                    );
                    CREATE INDEX instance_series ON instance(series_pk, instance_number);
                    CREATE INDEX instance_study ON instance(study_pk);
                    CREATE INDEX instance_class ON instance(sop_class_uid);
                    CREATE TABLE blob_journal (blob_key TEXT PRIMARY KEY);
                    """)
        }
        // The worklist (PS3.4 Annex CC): workitems with their attributes, the subscriptions, and the event reports
        // not yet delivered to their subscriber (kept across restarts, PS3.18 §11.11).
        migrator.registerMigration("v2-worklist") { db in
            try db.execute(
                sql: """
                    CREATE TABLE workitem (
                        pk INTEGER PRIMARY KEY,
                        uid TEXT NOT NULL UNIQUE,
                        transaction_uid TEXT,
                        attributes BLOB NOT NULL
                    );
                    CREATE TABLE ups_subscription (
                        ae_title TEXT NOT NULL,
                        target TEXT NOT NULL,
                        filter TEXT,
                        deletion_lock INTEGER NOT NULL,
                        PRIMARY KEY (ae_title, target)
                    );
                    CREATE TABLE ups_event (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ae_title TEXT NOT NULL,
                        json BLOB NOT NULL
                    );
                    CREATE INDEX ups_event_ae ON ups_event(ae_title, id);
                    """)
        }
        // Non-patient instances (PS3.18 §12): color palettes, hanging protocols and the other categories, with
        // no patient, study or series; searched on their attributes.
        migrator.registerMigration("v3-non-patient") { db in
            try db.execute(
                sql: """
                    CREATE TABLE npi_instance (
                        pk INTEGER PRIMARY KEY,
                        category TEXT NOT NULL,
                        sop_uid TEXT NOT NULL UNIQUE,
                        sop_class_uid TEXT NOT NULL,
                        transfer_syntax TEXT NOT NULL,
                        blob_key TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        stored_at INTEGER NOT NULL,
                        attributes BLOB NOT NULL
                    );
                    CREATE INDEX npi_category ON npi_instance(category, pk);
                    """)
        }
        migrator.registerMigration("v4-ups-subscription-target") { db in
            try db.execute(sql: "CREATE INDEX ups_subscription_target ON ups_subscription(target)")
        }
        // The blob journal records who journaled a key and when, so that a start recovers only what earlier
        // runs left (never the keys of uploads in progress) and an operator can see how old an entry is.
        migrator.registerMigration("v5-journal-owner") { db in
            try db.execute(
                sql: """
                    ALTER TABLE blob_journal ADD COLUMN owner TEXT NOT NULL DEFAULT '';
                    ALTER TABLE blob_journal ADD COLUMN journaled_at INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        // An instance stored into a study of another patient (patient-conflicts = accept) keeps its own patient:
        // instance-level searches match these columns for it instead of the study's.
        migrator.registerMigration("v6-instance-own-patient") { db in
            try db.execute(
                sql: """
                    ALTER TABLE instance ADD COLUMN own_patient INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE instance ADD COLUMN patient_id TEXT;
                    ALTER TABLE instance ADD COLUMN patient_name TEXT;
                    CREATE INDEX instance_own_patient_id ON instance(patient_id) WHERE patient_id IS NOT NULL;
                    """)
        }
        // Several nodes may share one index (scale-out): each holds a lease it renews while it runs, and the journal
        // owner becomes the node id, with the run beside it (a restarted node recovers its own earlier runs at once;
        // a node without a live lease is swept by the others after an age). Entries written before this migration
        // were owned by the run of the one process the data folder lock admitted; that process has stopped (this
        // migration runs at start, under the lock), so they become unowned: garbage whoever finds them.
        migrator.registerMigration("v7-node-lease") { db in
            try db.execute(
                sql: """
                    CREATE TABLE node (
                        node_id TEXT PRIMARY KEY,
                        run_id TEXT NOT NULL,
                        started_at INTEGER NOT NULL,
                        heartbeat_at INTEGER NOT NULL
                    );
                    ALTER TABLE blob_journal ADD COLUMN run TEXT NOT NULL DEFAULT '';
                    UPDATE blob_journal SET owner = '';
                    CREATE INDEX blob_journal_owner ON blob_journal(owner, journaled_at);
                    """)
        }
        // The Procedure Step State of a workitem as a column, so that a claim or any state change is one conditional
        // UPDATE on the state and Transaction UID it was decided on (compare-and-set, safe with several writers).
        migrator.registerMigration("v8-workitem-state") { db in
            try db.execute(sql: "ALTER TABLE workitem ADD COLUMN state TEXT NOT NULL DEFAULT 'SCHEDULED'")
            let rows = try Row.fetchAll(db, sql: "SELECT pk, attributes FROM workitem")
            for row in rows {
                let attributes = AttributeCodec.decode([UInt8](row["attributes"] as Data))
                let state = Workitem(uid: "", attributes: attributes, transactionUID: nil).state
                try db.execute(
                    sql: "UPDATE workitem SET state = ? WHERE pk = ?", arguments: [state.rawValue, row["pk"] as Int64])
            }
        }
        // API keys (issue 18): the SHA-256 of each key, never the key; roles as a sorted, comma-separated list.
        migrator.registerMigration("v9-api-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_key (
                        name TEXT PRIMARY KEY,
                        hash BLOB NOT NULL UNIQUE,
                        roles TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    )
                    """)
        }
        // The change feed (issue 21): one row per instance created, replaced or deleted, written in the transaction
        // of the change; AUTOINCREMENT, so a sequence number is never reused, even after the newest row is pruned.
        migrator.registerMigration("v10-change-feed") { db in
            try db.execute(
                sql: """
                    CREATE TABLE change_feed (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        timestamp INTEGER NOT NULL,
                        action TEXT NOT NULL,
                        study_uid TEXT NOT NULL,
                        series_uid TEXT NOT NULL,
                        sop_uid TEXT NOT NULL
                    )
                    """)
        }
        return migrator
    }
}
