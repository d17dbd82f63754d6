import DICOMCore

/// Writes parser events back as a Part 10 stream in another native transfer syntax (PS3.5 §7, §A.1–A.3):
/// Implicit VR Little Endian, Explicit VR Little Endian or Explicit VR Big Endian. Streaming: every event
/// becomes bytes at once, so a converted instance never sits in memory.
///
/// Sequences and items are written with undefined lengths (their byte counts change with the VR encoding);
/// a value too long for a 16-bit explicit length is written as UN, as ``DICOMWriter`` does. Encapsulated pixel
/// data cannot change to a native syntax without a codec, so it is refused; a writer for an encapsulated syntax
/// (explicit VR little endian, PS3.5 §A.4) writes the encapsulated events a codec stream produces.
public struct EventWriter: Sendable {
    /// The syntax written.
    public let transferSyntax: TransferSyntax
    private var meta = DataSet()
    private var inMeta = true
    private var out: [UInt8] = []
    /// Byte-swap word size of the chunked value in progress (big endian output).
    private var chunkSwap = 1
    private var carry: [UInt8] = []

    /// Errors: the conversion needs a codec.
    public struct Unsupported: Error, Sendable, CustomStringConvertible {
        /// Why.
        public var description: String
    }

    /// Whether this writer can produce `target` from a stream in `source`.
    public static func canConvert(from source: TransferSyntax, to target: TransferSyntax) -> Bool {
        !source.isEncapsulated && !target.isEncapsulated && !target.isDeflated
    }

    /// Creates a writer for `transferSyntax`. For Deflated Explicit VR Little Endian the file meta names it and
    /// the data set is written in explicit VR little endian, for the caller to compress (``StreamingDeflater``)
    /// from the first byte after what the `dataSetStart` event produced.
    public init(transferSyntax: TransferSyntax) {
        self.transferSyntax = transferSyntax
    }

    /// The bytes produced so far; the caller sends them and they are forgotten.
    public mutating func takeOutput() -> [UInt8] {
        defer { out.removeAll(keepingCapacity: true) }
        return out
    }

    private var explicit: Bool { transferSyntax.isExplicitVR }
    private var bigEndian: Bool { transferSyntax.isBigEndian }

    /// Takes the next event.
    public mutating func consume(_ event: ParseEvent) throws(Unsupported) {
        if inMeta {
            switch event {
            case .element(let h, let bytes) where h.tag.group == 2:
                meta.set(DataElement(h.tag, h.vr, bytes: bytes))
                return
            case .dataSetStart:
                inMeta = false
                out += [UInt8](repeating: 0, count: 128) + [0x44, 0x49, 0x43, 0x4D]
                let completed = DICOMWriter.completedFileMeta(meta, for: DataSet(), transferSyntax: transferSyntax)
                try? DICOMWriter.encode(completed, explicitVR: true, bigEndian: false, into: &out)
                return
            default:
                return
            }
        }
        switch event {
        case .element(let h, var bytes):
            var vr = h.vr
            if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
            if explicit && !vr.hasLongExplicitLength && bytes.count > 0xFFFF { vr = .UN }
            if bigEndian {
                let swap = ByteOrder.swapWordSize(for: h.vr)
                if swap > 1 { bytes = ByteOrder.swapped(bytes, wordSize: swap) }
            }
            DICOMWriter.header(h.tag, vr, UInt32(bytes.count), explicit, bigEndian, &out)
            out += bytes
        case .elementStart(let h):
            var vr = h.vr
            let length = h.length.defined ?? 0
            if explicit && !vr.hasLongExplicitLength && length > 0xFFFF { vr = .UN }
            DICOMWriter.header(h.tag, vr, length, explicit, bigEndian, &out)
            chunkSwap = bigEndian ? ByteOrder.swapWordSize(for: h.vr) : 1
        case .valueChunk(let bytes):
            guard chunkSwap > 1 else {
                out += bytes
                return
            }
            carry += bytes
            let whole = carry.count - carry.count % chunkSwap
            out += ByteOrder.swapped(Array(carry[..<whole]), wordSize: chunkSwap)
            carry.removeFirst(whole)
        case .valueEnd:
            out += carry
            carry.removeAll()
            chunkSwap = 1
        case .sequenceStart(let h):
            DICOMWriter.header(h.tag, .SQ, UInt32.max, explicit, bigEndian, &out)
        case .itemStart:
            DICOMWriter.putTag(.item, bigEndian, &out)
            DICOMWriter.put32(UInt32.max, bigEndian, &out)
        case .itemEnd:
            DICOMWriter.putTag(.itemDelimitation, bigEndian, &out)
            DICOMWriter.put32(0, bigEndian, &out)
        case .sequenceEnd:
            DICOMWriter.putTag(.sequenceDelimitation, bigEndian, &out)
            DICOMWriter.put32(0, bigEndian, &out)
        case .encapsulatedStart(let h) where transferSyntax.isEncapsulated:
            DICOMWriter.header(h.tag, .OB, UInt32.max, explicit, bigEndian, &out)
        case .fragment(_, var bytes) where transferSyntax.isEncapsulated:
            if bytes.count % 2 == 1 { bytes.append(0) }
            DICOMWriter.putTag(.item, bigEndian, &out)
            DICOMWriter.put32(UInt32(bytes.count), bigEndian, &out)
            out += bytes
        case .encapsulatedEnd where transferSyntax.isEncapsulated:
            DICOMWriter.putTag(.sequenceDelimitation, bigEndian, &out)
            DICOMWriter.put32(0, bigEndian, &out)
        case .encapsulatedStart, .fragment, .fragmentStart, .encapsulatedEnd:
            throw Unsupported(description: "encapsulated pixel data needs a codec to change transfer syntax")
        case .bulkData(let h, _):
            throw Unsupported(description: "\(h.tag) refers to bulk data that is not loaded")
        case .dataSetStart, .end:
            break
        }
    }
}
