import ArchiveFileSystem
import ArchiveSQLite
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import Testing

@testable import Archive

/// The patient-conflict policy, decided in the index commit (issue 14: a later STOW silently relabelled a
/// study's patient).
@Suite struct PatientConflictTests {
    static func instance(study: String, patientID: String, name: String = "Doe^Jane") -> [UInt8] {
        var dataSet = DataSet()
        dataSet.set(.text(Tag(0x0008_0016), .UI, "1.2.840.10008.5.1.4.1.1.7"))
        dataSet.set(.text(Tag(0x0008_0018), .UI, UIDGenerator.make()))
        dataSet.set(.text(Tag(0x0010_0010), .PN, name))
        dataSet.set(.text(Tag(0x0010_0020), .LO, patientID))
        dataSet.set(.text(Tag(0x0020_000D), .UI, study))
        dataSet.set(.text(Tag(0x0020_000E), .UI, UIDGenerator.make()))
        dataSet.set(.text(Tag(0x0020_0013), .IS, "1"))
        return try! DICOMWriter.part10(paddedToEvenLength(dataSet))
    }

    static func paddedToEvenLength(_ dataSet: DataSet) -> DataSet {
        var out = DataSet()
        for element in dataSet {
            guard var bytes = element.value.bytes else { continue }
            if bytes.count % 2 == 1 { bytes.append(element.vr == .UI ? 0 : 0x20) }
            out.set(DataElement(element.tag, element.vr, bytes: bytes))
        }
        return out
    }

    static func prepare(_ service: StoreService, _ bytes: [UInt8]) async throws -> PreparedInstance {
        var ingest = service.begin(expectedStudy: nil)
        try await ingest.append(bytes[...])
        guard case .prepared(let prepared) = await ingest.finish() else {
            Issue.record("not prepared")
            throw CancellationError()
        }
        return prepared
    }

    static func archive() throws -> (String, SQLiteIndexStore, FolderBlobStore) {
        let folder = NSTemporaryDirectory() + "lantern-test-" + BlobKey.random().rawValue
        let blobs = try FolderBlobStore(root: folder)  // creates the folder
        return (folder, try SQLiteIndexStore(path: folder + "/index.sqlite"), blobs)
    }

    @Test func twoPatientsInOneBatchCannotBothStartAStudy() async throws {
        let (folder, index, blobs) = try Self.archive()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let service = StoreService(index: index, blobs: blobs)
        let study = UIDGenerator.make()
        let first = try await Self.prepare(service, Self.instance(study: study, patientID: "A"))
        let second = try await Self.prepare(service, Self.instance(study: study, patientID: "B"))
        let same = try await Self.prepare(service, Self.instance(study: study, patientID: "A "))
        let outcomes = await service.commit([first, second, same])
        #expect(outcomes.map(\.isStored) == [true, false, true])
        #expect(outcomes[1].failure == .patientConflict)
        #expect(outcomes[1].comment?.contains("another patient") == true)
        #expect(outcomes[1].comment?.contains("Patient ID") == true)
        #expect(try await index.instances(.study(study)).count == 2)
    }

    @Test func acceptKeepsTheStudysPatientAndTheInstancesOwn() async throws {
        let (folder, index, blobs) = try Self.archive()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let service = StoreService(index: index, blobs: blobs, patientConflicts: .accept)
        let study = UIDGenerator.make()
        let first = try await Self.prepare(service, Self.instance(study: study, patientID: "A", name: "Alpha"))
        let second = try await Self.prepare(service, Self.instance(study: study, patientID: "B", name: "Beta"))
        let outcomes = await service.commit([first, second])
        #expect(outcomes.map(\.isStored) == [true, true])
        #expect(outcomes[0].warning == nil && outcomes[1].warning == StoreOutcome.patientConflictWarning)
        #expect(outcomes[1].comment?.contains("Beta") == false)

        let studies = try QIDOQuery.parse(queryItems: [("PatientID", "A")], scope: .allStudies)
        let foundStudies = try await QueryService(index: index).search(studies, limit: 10)
        #expect(foundStudies.matches.map(\.studyUID) == [study])
        #expect(foundStudies.matches.first?.attributes.string(Tag(0x0010_0010)) == "Alpha")
        for (patient, sop) in [
            ("B", second.record.instance.sopInstanceUID), ("A", first.record.instance.sopInstanceUID),
        ] {
            for exact in [true, false] {
                // Exact: decided in SQL on the indexed values; not exact (a key only the attributes decide): in Archive.
                var items = [("PatientID", patient)]
                if !exact { items.append(("InstanceNumber", "1")) }
                let query = try QIDOQuery.parse(queryItems: items, scope: .allInstances)
                let found = try await QueryService(index: index).search(query, limit: 10)
                #expect(found.matches.map(\.sopInstanceUID) == [sop], "\(patient) \(exact)")
            }
        }
        let byName = try QIDOQuery.parse(queryItems: [("PatientName", "Beta")], scope: .instancesInStudy(study: study))
        let named = try await QueryService(index: index).search(byName, limit: 10)
        #expect(named.matches.map(\.sopInstanceUID) == [second.record.instance.sopInstanceUID])
        #expect(named.matches.first?.attributes.string(Tag(0x0010_0020)) == "B")
    }
}
