import ArgumentParser
import DICOMCore
import DICOMwebClient

#if canImport(Glibc)
    import Glibc
#endif

/// Receives the outcome of every file of a batch once the server has answered.
protocol UploadObserver: Sendable {
    func finished(_ results: [(file: UploadFile, outcome: UploadOutcome)]) async
}

/// Remembers which SOP Instance UIDs have been sent (or imported before), so a second file holding the same
/// instance is skipped rather than sent again.
///
/// Batches are prepared concurrently, but claimed in the order they were taken (``claim(batch:_:)`` waits for
/// the batches before it): of several files holding one instance, the first in path order is always the one
/// sent, whatever the timing.
actor SOPInstanceClaims {
    private var owners: [String: String] = [:]
    /// The batch whose claims come next, and the batches waiting for their turn.
    private var turn = 0
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

    init(known: [String: String] = [:]) { owners = known }

    /// Claims `sop` for `display`; returns the earlier owner when another file already holds it.
    func claim(_ sop: String, for display: String) -> String? {
        if let owner = owners[sop], owner != display { return owner }
        owners[sop] = display
        return nil
    }

    /// Claims the instances of batch `index` (numbered from 0 in the order batches were taken) once every
    /// earlier batch has claimed; returns the earlier owner of each, or `nil` where the file now owns it.
    func claim(batch index: Int, _ entries: [(sop: String, display: String)]) async -> [String?] {
        while turn < index {
            await withCheckedContinuation { waiting[index] = $0 }
        }
        let owners = entries.map { claim($0.sop, for: $0.display) }
        turn = index + 1
        waiting.removeValue(forKey: turn)?.resume()
        return owners
    }
}

/// Hands out batches: consecutive items of one payload kind, at most `count` files and `bytes` bytes (a
/// larger file goes alone).
actor UploadQueue {
    private let items: [UploadItem]
    private var next = 0
    private let count: Int
    private let bytes: Int64

    init(_ items: [UploadItem], count: Int, bytes: Int64) {
        self.items = items
        self.count = max(1, count)
        self.bytes = max(1, bytes)
    }

    /// Batches handed out so far.
    private var taken = 0

    /// The next batch and its number (from 0, in order).
    func take() -> (index: Int, items: [UploadItem])? {
        guard let batch = takeItems() else { return nil }
        taken += 1
        return (taken - 1, batch)
    }

    private func takeItems() -> [UploadItem]? {
        guard next < items.count else { return nil }
        var batch = [items[next]]
        var size = items[next].file.size
        let wrapped = items[next].isWrapped
        next += 1
        while next < items.count, batch.count < count, items[next].isWrapped == wrapped,
            size + items[next].file.size <= bytes
        {
            size += items[next].file.size
            batch.append(items[next])
            next += 1
        }
        return batch
    }
}

/// The size of the file at `path` now, or -1.
func currentSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : -1
}

/// How store and import batch their requests.
struct UploadOptions: ParsableArguments {
    @Option(help: "Instances per request.")
    var batch = 20

    @Option(name: .customLong("batch-mb"), help: "Most megabytes per request (a larger file goes alone).")
    var batchMegabytes = 64

    @Option(help: "Requests in flight at once.")
    var concurrency = 4

    func uploader(
        _ client: DICOMwebClient, localBuilder: LocalInstanceBuilder? = nil, buildLocally: Bool = false
    )
        -> Uploader
    {
        Uploader(
            client: client, batchCount: batch, batchBytes: Int64(batchMegabytes) << 20, concurrency: concurrency,
            localBuilder: localBuilder, buildLocally: buildLocally)
    }
}

/// Sends files as STOW-RS requests (PS3.18 §10.5): batches of Part 10 files as `application/dicom` parts,
/// batches of wrapped files as one DICOM JSON metadata part plus their bulk data parts, `concurrency`
/// requests at a time. Every file gets an outcome; a failed request fails only its own batch.
struct Uploader: Sendable {
    let client: DICOMwebClient
    var batchCount = 20
    var batchBytes: Int64 = 64 << 20
    var concurrency = 4
    /// Builds wrapped files into Part 10 instances here instead of sending metadata and bulk data; also used
    /// for a batch the server refuses with 415. `nil` when the folder for them could not be made.
    var localBuilder: LocalInstanceBuilder?
    /// Build wrapped files here from the start.
    var buildLocally = false

    /// Sends `items`; with `claims`, a file whose SOP Instance UID another file already claimed is skipped.
    func run(_ items: [UploadItem], claims: SOPInstanceClaims?, observer: some UploadObserver) async {
        let queue = UploadQueue(items, count: batchCount, bytes: batchBytes)
        // Each worker prepares its next batch (headers read, duplicates claimed) while the current request
        // is in flight, so the server always has `concurrency` requests to work on.
        @Sendable func prepareNext() async -> PreparedBatch? {
            guard let (index, batch) = await queue.take() else { return nil }
            return await prepare(batch, index: index, claims: claims)
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, concurrency) {
                group.addTask {
                    var current = await prepareNext()
                    while let batch = current {
                        async let next = prepareNext()
                        await observer.finished(await transmit(batch, local: buildLocally))
                        current = await next
                    }
                }
            }
        }
    }

    /// A batch ready to send: its parts, and the outcomes of files that will not be sent.
    struct PreparedBatch: Sendable {
        var results: [(file: UploadFile, outcome: UploadOutcome)] = []
        var parts: [StowPart] = []
        var metadata: [DataSet] = []
        var sent: [(file: UploadFile, sop: String)] = []
        /// The non-patient resource of each part (PS3.18 §12), `nil` for the studies; in `parts` order.
        var resources: [String?] = []
        /// Instances built on the client for this batch (removed once sent).
        var built: [String] = []
    }

    /// Reads the headers of a batch's Part 10 files (one job on the blocking-I/O pool) and builds its parts.
    func prepare(_ batch: [UploadItem], index: Int, claims: SOPInstanceClaims?) async -> PreparedBatch {
        var prepared = PreparedBatch()
        var candidates: [(item: UploadItem, info: InstanceFileInfo, content: [UInt8]?)] = []
        let part10 = batch.filter { !$0.isWrapped }
        let inspected = await InstanceFileInfo.inspect(paths: part10.map(\.file.path))
        var next = 0
        for item in batch {
            switch item.payload {
            case .part10:
                let (found, content) = inspected[next]
                next += 1
                guard let info = found else {
                    prepared.results.append((item.file, .skipped(.notDICOM)))
                    continue
                }
                if info.sopClassUID == "1.2.840.10008.1.3.10" {
                    prepared.results.append(
                        (item.file, .skipped(.mediaDirectory)))
                    continue
                }
                // A small file was read whole with its header. A file that changed since it was listed (still
                // being copied in, say) is left for the next run rather than sent cut or failing its batch.
                let size = content.map { Int64($0.count) } ?? currentSize(item.file.path)
                guard size == item.file.size else {
                    prepared.results.append(
                        (item.file, .skipped(.changed)))
                    continue
                }
                candidates.append((item, info, content))
            case .wrapped(let dataSet, let bulk, let sop):
                prepared.metadata.append(dataSet)
                prepared.parts.append(bulk)
                prepared.sent.append((item.file, sop))
                prepared.resources.append(nil)
            }
        }
        let owners =
            await claims?.claim(batch: index, candidates.map { ($0.info.sopInstanceUID, $0.item.file.display) })
            ?? Array(repeating: nil, count: candidates.count)
        for ((item, info, content), owner) in zip(candidates, owners) {
            if let owner {
                prepared.results.append((item.file, .skipped(.duplicate(of: owner))))
                continue
            }
            let segment: UploadSegment =
                content.map { .bytes($0) } ?? .file(path: item.file.path, length: item.file.size)
            prepared.parts.append(StowPart(contentType: .dicom, content: segment))
            prepared.sent.append((item.file, info.sopInstanceUID))
            prepared.resources.append(info.sopClassUID.flatMap { NonPatientResources.resourceBySOPClass[$0] })
        }
        return prepared
    }

    /// Sends a prepared batch and returns every file's outcome. Wrapped files are built here first with
    /// `local`, or when the server refuses metadata and bulk data with 415 (noted in each file's warning).
    func transmit(_ prepared: PreparedBatch, local: Bool) async -> [(file: UploadFile, outcome: UploadOutcome)] {
        if !prepared.metadata.isEmpty, local, let builder = localBuilder {
            let built = await builder.build(prepared)
            defer { builder.remove(built) }
            return await transmit(built, local: false)
        }
        var results = prepared.results
        let (parts, metadata, sent) = (prepared.parts, prepared.metadata, prepared.sent)
        guard !sent.isEmpty else { return results }
        // Non-patient instances (colour palettes, hanging protocols, …) go to their own resource, one request
        // per resource of the batch.
        if metadata.isEmpty, prepared.resources.contains(where: { $0 != nil }) {
            var groups: [String?: PreparedBatch] = [:]
            var order: [String?] = []
            for (n, resource) in prepared.resources.enumerated() {
                if groups[resource] == nil {
                    groups[resource] = PreparedBatch()
                    order.append(resource)
                }
                groups[resource]!.parts.append(parts[n])
                groups[resource]!.sent.append(sent[n])
            }
            for resource in order {
                results += await transmit(groups[resource]!, local: local, resource: resource)
            }
            return results
        }
        return results + (await transmit(prepared, local: local, resource: nil))
    }

    /// Sends the parts of `prepared` to `resource` (the studies when `nil`).
    private func transmit(
        _ prepared: PreparedBatch, local: Bool, resource: String?
    ) async -> [(file: UploadFile, outcome: UploadOutcome)] {
        var results: [(file: UploadFile, outcome: UploadOutcome)] = []
        let (parts, metadata, sent) = (prepared.parts, prepared.metadata, prepared.sent)
        let response: StowResponse
        do {
            if metadata.isEmpty {
                response = try await client.store(parts, rootType: .dicom, resource: resource)
            } else {
                response = try await client.store(
                    [InstanceWrapper.metadataPart(metadata)] + parts, rootType: .dicomJSON)
            }
        } catch let error as DICOMwebClientError where error.status == 415 && !metadata.isEmpty && localBuilder != nil {
            var bare = prepared
            bare.results = []
            let outcomes = await transmit(bare, local: true)
            let note = "built by the client: the server does not take metadata and bulk data (HTTP 415)"
            return outcomes.map { result in
                guard case .stored(let sop, let warning) = result.outcome else { return result }
                return (result.file, .stored(sopInstanceUID: sop, warning: warning.map { note + "; " + $0 } ?? note))
            }
        } catch {
            return results + sent.map { ($0.file, .failed(sopInstanceUID: $0.sop, reason: "\(error)")) }
        }
        // Results are matched by SOP Instance UID; results the files' UIDs do not name (a file whose meta
        // and data set disagree, or a failure the server could not attribute) go to the unmatched files in
        // request order.
        let sentUIDs = Set(sent.map(\.sop))
        var bySOP: [String: [StowInstanceResult]] = [:]
        var unattributed: [StowInstanceResult] = []
        for instance in response.instances {
            if let sop = instance.sopInstanceUID, sentUIDs.contains(sop) {
                bySOP[sop, default: []].append(instance)
            } else {
                unattributed.append(instance)
            }
        }
        for (file, sop) in sent {
            let named = bySOP[sop]?.isEmpty == false ? bySOP[sop]!.removeFirst() : nil
            guard let result = named ?? (unattributed.isEmpty ? nil : unattributed.removeFirst()) else {
                if response.instances.isEmpty && response.status == 200 {
                    results.append((file, .stored(sopInstanceUID: sop, warning: nil)))
                } else {
                    let reason =
                        response.message ?? "the server did not report on this instance (HTTP \(response.status))"
                    results.append((file, .failed(sopInstanceUID: sop, reason: reason)))
                }
                continue
            }
            let uid = result.sopInstanceUID ?? sop
            let comment = result.comment.map { ": \($0)" } ?? ""
            if result.stored {
                let warning = result.warningReason.map { StowInstanceResult.describe(warning: $0) + comment }
                results.append((file, .stored(sopInstanceUID: uid, warning: warning)))
            } else {
                let reason = result.failureReason.map { StowInstanceResult.describe(failure: $0) } ?? "not stored"
                results.append((file, .failed(sopInstanceUID: uid, reason: reason + comment)))
            }
        }
        return results
    }
}
