import DICOMBinary
import DICOMCore
import DICOMDictionary
import NIOCore

/// One instance being stored: its bytes go to a new blob while the parser reads them, in one pass with bounded
/// memory (ARCHITECTURE §1, STOW journey). Made by ``StoreService/begin(_:)``; feed it with
/// ``append(_:)``, then call ``finish()`` (or ``abort()`` when the body breaks off), and hand what it
/// prepared to ``StoreService/commit(_:)``, which makes a batch durable and visible at once.
public struct InstanceIngest {
    let service: StoreService
    let target: IngestTarget
    /// The journaled key, taken before the first byte is written (``openUpload()``).
    var key: BlobKey?
    var upload: (any BlobWriter)?
    var parser = StreamParser(options: InstanceAnalyzer.parserOptions)
    var analyzer = InstanceAnalyzer()
    var pending = ByteBuffer()
    var size: UInt64 = 0
    var parseError: String?

    static let flushSize = 512 * 1024

    init(service: StoreService, target: IngestTarget) {
        self.service = service
        self.target = target
    }

    /// Takes the next bytes of the instance. Throws only when storage fails; unreadable content is reported
    /// by ``finish()``.
    public mutating func append(_ bytes: ArraySlice<UInt8>) async throws {
        if size == 0, Self.startsWithFileMetaWithoutPreamble(bytes) {
            // File meta without the preamble and "DICM" (as some toolkits write a data set saved without a
            // preamble): stored as a proper Part 10 file (PS3.10 §7.1), so what is retrieved always is one.
            let header = [UInt8](repeating: 0, count: 128) + [0x44, 0x49, 0x43, 0x4D]
            try await appendChecked(header[...])
        }
        try await appendChecked(bytes)
    }

    /// Whether a stream starts with a file meta element, (0002,xxxx) in explicit VR little endian.
    static func startsWithFileMetaWithoutPreamble(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 6 else { return false }
        let b = Array(bytes.prefix(6))
        return b[0] == 0x02 && b[1] == 0x00 && (65...90).contains(b[4]) && (65...90).contains(b[5])
    }

    private mutating func appendChecked(_ bytes: ArraySlice<UInt8>) async throws {
        size += UInt64(bytes.count)
        if parseError == nil {
            parser.append(bytes)
            drain()
        }
        guard parseError == nil else { return }
        pending.writeBytes(bytes)
        if pending.readableBytes >= Self.flushSize { try await flush() }
    }

    /// Opens the blob under a freshly journaled key, on the first flush or when the instance is ready. A part
    /// that is unreadable or smaller than ``flushSize`` costs no key, no file and no journaling: its cost is its
    /// bytes (a STOW of 100,000 one-byte parts took 24 s of server time when each reserved a key and a file).
    private mutating func openUpload() async throws -> any BlobWriter {
        if let upload { return upload }
        let fresh = try await service.keys.next()
        key = fresh
        let opened = try await service.blobs.begin(fresh, kind: .instance)
        upload = opened
        return opened
    }

    private mutating func drain() {
        do {
            while let event = try parser.next() { analyzer.consume(event) }
        } catch {
            parseError = "\(error)"
        }
    }

    private mutating func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        let upload = try await openUpload()
        try await upload.append(pending)
        pending = ByteBuffer()
    }

    /// Discards what was written.
    public mutating func abort() async {
        if let upload { await upload.abort() }
        upload = nil
    }

    /// Ends the instance: checks it, makes it durable and visible, and says what happened.
    public mutating func finish() async -> IngestResult {
        if parseError == nil {
            parser.finish()
            drain()
        }
        guard parseError == nil, let analysis = analyzer.analysis() else {
            await abort()
            return .failed(
                StoreOutcome(
                    sopClassUID: nil, sopInstanceUID: nil, failure: .cannotUnderstand,
                    comment: "not a readable DICOM instance: \(parseError ?? "the data set ended early")"))
        }
        let attributes = analysis.attributes
        let sopClass = attributes.string(Tag.sopClassUID)
        let sopInstance = attributes.string(Tag.sopInstanceUID)
        let study = attributes.string(Tag.studyInstanceUID)
        let series = attributes.string(Tag.seriesInstanceUID)
        func fail(_ reason: StoreOutcome.Failure, _ comment: String) -> IngestResult {
            .failed(StoreOutcome(sopClassUID: sopClass, sopInstanceUID: sopInstance, failure: reason, comment: comment))
        }
        guard analysis.fileMeta.contains(.transferSyntaxUID) else {
            await abort()
            return fail(.cannotUnderstand, "not a DICOM Part 10 file: no file meta information (PS3.10 §7.1)")
        }
        var missing: [String] = []
        if sopClass?.isEmpty ?? true { missing.append("SOPClassUID (0008,0016)") }
        if sopInstance?.isEmpty ?? true { missing.append("SOPInstanceUID (0008,0018)") }
        if target.category == nil {
            if study?.isEmpty ?? true { missing.append("StudyInstanceUID (0020,000D)") }
            if series?.isEmpty ?? true { missing.append("SeriesInstanceUID (0020,000E)") }
        }
        guard missing.isEmpty, let sopClass, let sopInstance else {
            await abort()
            return fail(.dataSetDoesNotMatchSOPClass, "missing required attributes: " + missing.joined(separator: ", "))
        }
        if let (tag, comment) = Self.invalidUID(in: attributes, patientLevels: target.category == nil) {
            await abort()
            // The invalid value is not reported back as if it were a UID (it may hold anything).
            return .failed(
                StoreOutcome(
                    sopClassUID: tag == Tag.sopClassUID ? nil : sopClass,
                    sopInstanceUID: tag == Tag.sopInstanceUID ? nil : sopInstance,
                    failure: .dataSetDoesNotMatchSOPClass,
                    comment: comment))
        }
        if let refusal = Self.check(target, sopClass: sopClass, sopInstance: sopInstance, study: study ?? "") {
            await abort()
            return fail(refusal.0, refusal.1)
        }
        do {
            guard size > 0 else { throw ArchiveError(.storage, "no bytes written") }
            let upload = try await openUpload()
            guard let key else { throw ArchiveError(.storage, "no blob key") }
            let last = pending
            pending = ByteBuffer()
            self.upload = nil
            try await upload.finish(appending: last)
            // Non-patient instances belong to no study or series: their UIDs stay empty.
            let record = StoredInstance(
                studyUID: target.category == nil ? study ?? "" : "",
                seriesUID: target.category == nil ? series ?? "" : "", sopInstanceUID: sopInstance,
                sopClassUID: sopClass,
                transferSyntaxUID: analysis.transferSyntax.uid, blobKey: key, size: size,
                pixelLayout: analysis.pixelLayout, pixelDataOffset: analysis.pixelDataOffset,
                storedAt: service.now())
            try await service.writeSidecars(key, analysis)
            return .prepared(
                PreparedInstance(
                    record: InstanceRecord(instance: record, attributes: attributes), category: target.category))
        } catch {
            await abort()
            if let key { await service.discard(key) }
            return fail(.processingFailure, "storage failed: \(error)")
        }
    }
}

/// What ``InstanceIngest/finish()`` produced.
public enum IngestResult: Sendable {
    /// The instance cannot be stored; nothing of it remains.
    case failed(StoreOutcome)
    /// The instance is written and ready for ``StoreService/commit(_:)``.
    case prepared(PreparedInstance)
}

/// An instance whose bytes and metadata are written under a journaled key, not yet durable nor visible.
public struct PreparedInstance: Sendable {
    /// What the index will hold.
    public let record: InstanceRecord
    /// The non-patient category it is stored in (PS3.18 §12), `nil` for the studies.
    public let category: NonPatientCategory?
}

extension InstanceIngest {
    /// The UIDs that name a stored instance, and with it the paths a client addresses it by: each must be a
    /// valid UID (PS3.5 §9.1), or nothing is stored.
    static let addressingUIDs: [(tag: Tag, name: String, patientLevels: Bool)] = [
        (Tag.studyInstanceUID, "Study Instance UID (0020,000D)", true),
        (Tag.seriesInstanceUID, "Series Instance UID (0020,000E)", true),
        (Tag.sopInstanceUID, "SOP Instance UID (0008,0018)", false),
        (Tag.sopClassUID, "SOP Class UID (0008,0016)", false),
    ]

    /// Which of the instance's addressing UIDs breaks PS3.5 §9.1, and why (naming the attribute), or `nil`.
    /// The whole encoded value is checked (a `\` makes it invalid, not two values), after removing its trailing
    /// padding.
    /// `patientLevels`: whether the Study and Series Instance UIDs are checked (not for non-patient instances).
    static func invalidUID(in attributes: DataSet, patientLevels: Bool) -> (Tag, String)? {
        for (tag, name, level) in addressingUIDs where patientLevels || !level {
            guard let bytes = attributes[tag]?.value.bytes else { continue }
            let value = UIDValidation.trimmingPadding(String(decoding: bytes, as: UTF8.self))
            if let problem = UIDValidation.problem(value) {
                return (tag, "\(name) is not a valid UID (PS3.5 §9.1): \(problem)")
            }
        }
        return nil
    }

    /// Why an instance does not belong to `target`, if it does not: another study than the request's, or for
    /// a non-patient category a SOP Class outside it (0x0122, "SOP Class not supported") or another SOP
    /// Instance UID than the request's.
    static func check(
        _ target: IngestTarget, sopClass: String, sopInstance: String, study: String
    ) -> (StoreOutcome.Failure, String)? {
        switch target {
        case .studies(let expected?) where expected != study:
            return (
                .dataSetDoesNotMatchSOPClass,
                "StudyInstanceUID \(study) differs from the study of the request, \(expected)"
            )
        case .studies:
            return nil
        case .nonPatient(let category, let uid):
            if !category.sopClassUIDs.contains(sopClass) {
                return (
                    .sopClassNotSupported,
                    "SOP Class \(sopClass) is not one of \(category.rawValue) (PS3.18 §12): "
                        + category.sopClassUIDs.sorted().joined(separator: ", ")
                )
            }
            if let uid, uid != sopInstance {
                return (
                    .dataSetDoesNotMatchSOPClass, "SOPInstanceUID \(sopInstance) differs from the request's, \(uid)"
                )
            }
            return nil
        }
    }
}
