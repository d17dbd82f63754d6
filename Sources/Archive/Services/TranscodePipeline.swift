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
    private var output: [UInt8] = []

    init(source: String, target: String) {
        writer = EventWriter(transferSyntax: TransferSyntax(uid: target))
        if TransferSyntax(uid: source).isEncapsulated {
            decoding = PixelDataDecodingStream(sourceTransferSyntaxUID: source)
        }
        if TransferSyntax(uid: target).isEncapsulated {
            encoding = PixelDataEncodingStream(targetTransferSyntaxUID: target)
        }
        wantsDeflate = TransferSyntax(uid: target).isDeflated
    }

    /// Whether the data set is deflated after the file meta (PS3.5 §A.5).
    private let wantsDeflate: Bool

    /// Takes the next stored bytes; returns the converted bytes once at least `batch` are ready (all of them
    /// when `finished`).
    func feed(_ bytes: [UInt8], finished: Bool, batch: Int = 256 * 1024) throws -> [UInt8] {
        if finished { parser.finish() } else { parser.append(bytes) }
        while let event = try parser.next() {
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
        }
        if finished, let deflater { output += try deflater.compress([], finish: true) }
        guard finished || output.count >= batch else { return [] }
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }
}
