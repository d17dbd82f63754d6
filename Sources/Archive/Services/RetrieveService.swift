import DICOMBinary
import DICOMCore
import DICOMImaging
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
    public func metadata(_ instances: [StoredInstance], format: MetadataFormat) async throws -> [[UInt8]] {
        let sidecars = try await blobs.readSmall(instances.map(\.blobKey), kind: .metadata)
        var out: [[UInt8]] = []
        out.reserveCapacity(instances.count)
        for (instance, sidecar) in zip(instances, sidecars) {
            if let document = sidecar.flatMap({ MetadataSidecar.document(format, in: $0) }) {
                out.append(document)
            } else {
                out.append(try await rebuildMetadata(instance, format: format))
            }
        }
        return out
    }

    /// The metadata document of an instance (JSON or XML), with relative BulkDataURIs
    /// (``InstanceAnalyzer/bulkDataPath(offset:length:)``).
    public func metadata(_ instance: StoredInstance, format: MetadataFormat) async throws -> [UInt8] {
        try await metadata([instance], format: format)[0]
    }

    private func rebuildMetadata(_ instance: StoredInstance, format: MetadataFormat) async throws -> [UInt8] {
        // Derived data: rebuild it from the instance (e.g. after a power loss cut the document short).
        var analyzer = InstanceAnalyzer()
        try await parse(instance, options: InstanceAnalyzer.parserOptions) { analyzer.consume($0) }
        guard let analysis = analyzer.analysis() else {
            throw ArchiveError.damaged(instance.sopInstanceUID, "it cannot be read")
        }
        return format == .xml ? analysis.metadataXML : analysis.metadataJSON
    }

    /// Feeds the stored bytes of `instance` (or `range` of them) through a parser, every event to `consume`.
    /// With `cutShort`, the range ends inside the data set on purpose, and the parser's complaint about the
    /// missing end is not an error.
    func parse(
        _ instance: StoredInstance, range: ByteRange? = nil, options: ParserOptions = ParserOptions(),
        cutShort: Bool = false, _ consume: (ParseEvent) -> Void
    ) async throws {
        var parser = StreamParser(options: options)
        try await stream(instance, range: range) { buffer in
            parser.append(buffer.readableBytesView)
            while let event = try parser.next() { consume(event) }
        }
        parser.finish()
        while true {
            let event: ParseEvent?
            do {
                event = try parser.next()
            } catch {
                if cutShort { return }
                throw error
            }
            guard let event else { return }
            consume(event)
        }
    }

    /// Opens the stored bytes of `instance`; throws ``ArchiveError/Code/damaged`` when they are missing or not
    /// as long as the index says (a blob removed or cut short behind the archive's back), so that no read
    /// path can send a part of an instance as if it were whole.
    func openIntact(_ instance: StoredInstance) async throws -> any BlobReader {
        guard let reader = try await blobs.open(instance.blobKey, kind: .instance) else {
            throw ArchiveError.damaged(instance.sopInstanceUID, "its bytes are missing")
        }
        guard reader.size == instance.size else {
            throw ArchiveError.damaged(
                instance.sopInstanceUID, "its bytes are \(reader.size) long, the index says \(instance.size)")
        }
        return reader
    }

    /// Throws ``ArchiveError/Code/damaged`` when the stored bytes of `instance` are missing or not as long as
    /// indexed. Responses call it before their head for the instance they start with, so that a damaged
    /// instance is a 500 rather than a 200 cut short.
    public func checkIntact(_ instance: StoredInstance) async throws {
        _ = try await openIntact(instance)
    }

    /// Bytes read per chunk when streaming an instance.
    static let streamChunk = 1 << 20

    /// Streams the stored bytes of an instance (or a range of them) in chunks of at most 1 MiB
    /// (``BlobChunks``: the next chunk is read while the current one is being sent, so storage and network
    /// overlap; at most two chunks are in memory).
    public func stream(
        _ instance: StoredInstance, range: ByteRange?, chunk: (ByteBuffer) async throws -> Void
    ) async throws {
        let reader = try await openIntact(instance)
        let chunks: BlobChunks
        do { chunks = try reader.chunks(range, chunkSize: Self.streamChunk) } catch {
            throw ArchiveError(.notFound, "the byte range lies outside instance \(instance.sopInstanceUID)")
        }
        var reading = chunks.makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do { next = try await reading.next() } catch let error as ArchiveError where error.code == .damaged {
                throw ArchiveError.damaged(instance.sopInstanceUID, "its bytes end before the indexed size")
            }
            guard let buffer = next else { return }
            try await chunk(buffer)
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
    /// Whether an instance stored in `source` can be sent in `target` (PS3.18 §8.7.3.5): as stored, converted
    /// among the native syntaxes, or with its frames decoded and encoded by ``FrameCodecs``.
    public static func canSend(_ source: String, as target: String) -> Bool {
        let from = TransferSyntax(uid: source)
        let to = TransferSyntax(uid: target)
        if source == target || EventWriter.canConvert(from: from, to: to) { return true }
        // Deflated Explicit VR Little Endian: the native data set, compressed (PS3.5 §A.5).
        if to.isDeflated { return !from.isEncapsulated || FrameCodecs.canDecode(source) }
        let readable = !from.isEncapsulated || FrameCodecs.canDecode(source)
        let writable = !to.isEncapsulated || FrameCodecs.canEncode(target)
        return readable && writable
    }

    /// Streams an instance converted to another transfer syntax as it is read (``TranscodePipeline``), and
    /// de-identified with `anonymize` (PS3.15 Basic Profile, ``Deidentifier``); the conversion runs on the codec
    /// pool. A frame that cannot be decoded throws, mid-stream.
    public func streamConverted(
        _ instance: StoredInstance, to target: String, anonymize: Bool = false,
        chunk: (ByteBuffer) async throws -> Void
    ) async throws {
        let pipeline = TranscodePipeline(source: instance.transferSyntaxUID, target: target, anonymize: anonymize)
        let pool = CodecPool.shared
        @Sendable func drain() async throws -> [UInt8] { try await pool.runIfActive { try pipeline.drain() } }
        try await stream(instance, range: nil) { buffer in
            pipeline.append(Array(buffer.readableBytesView), finished: false)
            while case let out = try await drain(), !out.isEmpty { try await chunk(ByteBuffer(bytes: out)) }
        }
        pipeline.append([], finished: true)
        while case let out = try await drain(), !out.isEmpty { try await chunk(ByteBuffer(bytes: out)) }
    }

    /// Streams `instance` in `syntax`: as stored when it is the stored one, else converted as it is read.
    public func stream(
        _ instance: StoredInstance, as syntax: String, chunk: (ByteBuffer) async throws -> Void
    ) async throws {
        if syntax == instance.transferSyntaxUID {
            try await stream(instance, range: nil, chunk: chunk)
        } else {
            try await streamConverted(instance, to: syntax, chunk: chunk)
        }
    }
}
