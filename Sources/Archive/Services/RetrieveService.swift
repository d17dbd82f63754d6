import DICOMBinary
import DICOMCore
import NIOCore

/// Reads what is stored (PS3.18 §10.4 WADO-RS): instances as stored, the metadata documents ingest
/// precomputed, frame and bulk data byte ranges. Never parses an instance to answer `/metadata` or `/frames`,
/// except to rebuild a metadata document that is missing.
public struct RetrieveService: Sendable {
    /// The index.
    public let index: any IndexStore
    /// The blobs.
    public let blobs: any BlobStore

    /// Creates the service.
    public init(index: any IndexStore, blobs: any BlobStore) {
        self.index = index
        self.blobs = blobs
    }

    /// The instances `selection` addresses; throws ``ArchiveError/Code/notFound`` when there are none.
    public func instances(_ selection: InstanceSelection) async throws -> [StoredInstance] {
        let found = try await index.instances(selection)
        guard !found.isEmpty else { throw ArchiveError(.notFound, "no such \(selection.levelName)") }
        return found
    }

    /// The metadata documents of a batch of instances (JSON or XML), in order, with relative BulkDataURIs
    /// (``InstanceAnalyzer/bulkDataPath(offset:length:)``). Reads the batch in one I/O job; a document that is
    /// missing is rebuilt from its instance.
    public func metadata(_ instances: [StoredInstance], kind: BlobKind) async throws -> [[UInt8]] {
        let documents = try await blobs.readSmall(instances.map(\.blobKey), kind: kind)
        var out: [[UInt8]] = []
        out.reserveCapacity(instances.count)
        for (instance, document) in zip(instances, documents) {
            if let document {
                out.append(document)
            } else {
                out.append(try await rebuildMetadata(instance, kind: kind))
            }
        }
        return out
    }

    /// The metadata document of an instance (JSON or XML), with relative BulkDataURIs
    /// (``InstanceAnalyzer/bulkDataPath(offset:length:)``).
    public func metadata(_ instance: StoredInstance, kind: BlobKind) async throws -> [UInt8] {
        try await metadata([instance], kind: kind)[0]
    }

    private func rebuildMetadata(_ instance: StoredInstance, kind: BlobKind) async throws -> [UInt8] {
        // Derived data: rebuild it from the instance (e.g. after a power loss cut the document short).
        var analyzer = InstanceAnalyzer()
        var parser = StreamParser(options: InstanceAnalyzer.parserOptions)
        try await stream(instance, range: nil) { buffer in
            parser.append(buffer.readableBytesView)
            while let event = try parser.next() { analyzer.consume(event) }
        }
        parser.finish()
        while let event = try parser.next() { analyzer.consume(event) }
        guard let analysis = analyzer.analysis() else {
            throw ArchiveError(.storage, "instance \(instance.sopInstanceUID) cannot be read")
        }
        return kind == .metadataXML ? analysis.metadataXML : analysis.metadataJSON
    }

    /// Streams the stored bytes of an instance (or a range of them) in chunks of at most 256 KiB.
    public func stream(
        _ instance: StoredInstance, range: ByteRange?, chunk: (ByteBuffer) async throws -> Void
    ) async throws {
        guard let handle = try await blobs.open(instance.blobKey, kind: .instance) else {
            throw ArchiveError(.storage, "the bytes of instance \(instance.sopInstanceUID) are missing")
        }
        defer { blobs.close(handle) }
        let range = range ?? ByteRange(offset: 0, length: handle.size)
        guard range.offset + range.length <= handle.size else {
            throw ArchiveError(.notFound, "the byte range lies outside instance \(instance.sopInstanceUID)")
        }
        var offset = range.offset
        let end = range.offset + range.length
        while offset < end {
            let n = Int(min(256 * 1024, end - offset))
            let buffer = try await blobs.read(handle, offset: offset, count: n)
            guard buffer.readableBytes == n else {
                throw ArchiveError(.storage, "instance \(instance.sopInstanceUID) is shorter than indexed")
            }
            try await chunk(buffer)
            offset += UInt64(n)
        }
    }
}

extension InstanceSelection {
    var levelName: String {
        switch self {
        case .study: "study"
        case .series: "series"
        case .instance: "instance"
        }
    }
}

extension RetrieveService {
    /// Whether an instance stored in `source` can be sent in `target` (PS3.18 §8.7.3.5): as stored, or
    /// converted among the native syntaxes.
    public static func canSend(_ source: String, as target: String) -> Bool {
        source == target
            || EventWriter.canConvert(from: TransferSyntax(uid: source), to: TransferSyntax(uid: target))
    }

    /// Streams an instance converted to another native transfer syntax (``EventWriter``), parsing the stored
    /// bytes as they are read.
    public func streamConverted(
        _ instance: StoredInstance, to target: String, chunk: (ByteBuffer) async throws -> Void
    ) async throws {
        var parser = StreamParser()
        var writer = EventWriter(transferSyntax: TransferSyntax(uid: target))
        var output: [UInt8] = []
        func pump(_ finished: Bool) throws {
            if finished { parser.finish() }
            while let event = try parser.next() {
                try writer.consume(event)
                output += writer.takeOutput()
            }
        }
        try await stream(instance, range: nil) { buffer in
            parser.append(buffer.readableBytesView)
            try pump(false)
            if output.count >= 256 * 1024 {
                try await chunk(ByteBuffer(bytes: output))
                output.removeAll(keepingCapacity: true)
            }
        }
        try pump(true)
        if !output.isEmpty { try await chunk(ByteBuffer(bytes: output)) }
    }
}
