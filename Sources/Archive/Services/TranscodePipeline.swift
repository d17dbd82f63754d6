import DICOMBinary
import DICOMCore
import DICOMImaging
import NIOCore
import NIOPosix

/// The threads codec and conversion work runs on: a pool of its own, one thread per core, so that decoding
/// never runs on an event loop nor starves the blob store's I/O pool (ARCHITECTURE §7). Started at first use
/// and kept for the life of the process.
enum CodecPool {
    static let shared: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        pool.start()
        return pool
    }()
}

/// Converts the bytes of a stored instance to another transfer syntax as they are read: parser, then (for
/// encapsulated sources) ``PixelDataDecodingStream``, then (for encapsulated targets)
/// ``PixelDataEncodingStream``, then ``EventWriter``. Memory holds the parser's buffer, a frame or two and the
/// output not yet taken.
///
/// `@unchecked Sendable`: one request owns it and calls ``feed(_:finished:)`` on the codec pool one call at a
/// time, each awaited before the next, so its state is never touched by two threads at once.
final class TranscodePipeline: @unchecked Sendable {
    private var parser = StreamParser()
    private var decoding: PixelDataDecodingStream?
    private var encoding: PixelDataEncodingStream?
    private var writer: EventWriter
    private var deflater: StreamingDeflater?
    private var deidentifier: Deidentifier?
    private var output: [UInt8] = []

    /// A pipeline from `source` to `target`; with `anonymize`, the data set is de-identified on the way
    /// (``Deidentifier``, UIDs mapped by ``AnonymousUIDs``).
    init(source: String, target: String, anonymize: Bool = false) {
        writer = EventWriter(transferSyntax: TransferSyntax(uid: target))
        if anonymize { deidentifier = Deidentifier(uidMapper: AnonymousUIDs.map) }
        // The same syntax (a de-identified copy): encapsulated frames pass through untouched.
        if TransferSyntax(uid: source).isEncapsulated && source != target {
            decoding = PixelDataDecodingStream(sourceTransferSyntaxUID: source)
        }
        if TransferSyntax(uid: target).isEncapsulated && source != target {
            encoding = PixelDataEncodingStream(targetTransferSyntaxUID: target)
        }
        wantsDeflate = TransferSyntax(uid: target).isDeflated
    }

    /// Whether the data set is deflated after the file meta (PS3.5 §A.5).
    private let wantsDeflate: Bool

    /// Queues the next stored bytes; `finished` marks the end of the instance.
    func append(_ bytes: [UInt8], finished: Bool) {
        if finished { parser.finish() } else { parser.append(bytes) }
    }

    /// Converts queued bytes until at least `batch` output bytes are ready or the queued input is used up, and
    /// returns them (empty when there is nothing more until more input comes). Output is bounded by `batch`
    /// plus one frame, however well the source compresses.
    func drain(batch: Int = 256 * 1024) throws -> [UInt8] {
        while output.count < batch, let next = try parser.next() {
            for event in try deidentifier?.consume(next) ?? [next] { try convert(event) }
        }
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    private func convert(_ event: ParseEvent) throws {
        let decoded = try decoding?.consume(event) ?? [event]
        for step in decoded {
            for converted in try encoding?.consume(step) ?? [step] { try writer.consume(converted) }
        }
        let written = writer.takeOutput()
        if let deflater {
            output += try deflater.compress(written)
        } else {
            output += written
            // The preamble and file meta stay as they are; what follows is compressed.
            if wantsDeflate, case .dataSetStart = event { deflater = try StreamingDeflater() }
        }
        if case .end = event, let deflater { output += try deflater.compress([], finish: true) }
    }
}

/// The UIDs de-identified instances get (PS3.15 Annex E: U): `2.25.` and 128 bits derived from the original
/// UID with a key chosen at random when the server starts, so one UID maps to the same new UID throughout a
/// run (the instances of a study stay together) and the mapping cannot be reversed without the key.
enum AnonymousUIDs {
    /// Swift's `Hasher` is SipHash, seeded at random per process: two differently prefixed hashes make 128 bits.
    static func map(_ uid: String) -> String {
        var high = Hasher()
        high.combine("lantern-uid-high")
        high.combine(uid)
        var low = Hasher()
        low.combine("lantern-uid-low")
        low.combine(uid)
        let value =
            UInt128(UInt64(bitPattern: Int64(high.finalize()))) << 64
            | UInt128(UInt64(bitPattern: Int64(low.finalize())))
        return "2.25.\(value)"
    }
}
