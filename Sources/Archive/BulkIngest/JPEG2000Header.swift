/// Reads JPEG 2000 content (ISO/IEC 15444-1; HTJ2K is ISO/IEC 15444-15): unwraps a JP2/JPH file to its
/// contiguous codestream box (`jp2c`), since PS3.5 §8.2.4 and §A.4.4 encapsulate the bare codestream, and
/// reads the main header's SIZ, COD and CAP markers.
///
/// Transfer syntax choice (PS3.5 §A.4.4, §A.4.10):
/// - JPEG 2000 part 1: reversible 5-3 wavelet → JPEG 2000 Lossless Only `1.2.840.10008.1.2.4.90`;
///   irreversible 9-7 → JPEG 2000 `.4.91`. A reversible stream can still be lossy when its layers were
///   truncated, which the main header does not reveal; the sender then asks for `.4.91` with the part's
///   `transfer-syntax` parameter (``TransferSyntaxChoice`` allows `.90` → `.91`).
/// - High-Throughput (HT block coder flagged in CAP, or any `image/jphc` part): reversible → HTJ2K Lossless
///   `.4.201`, irreversible → HTJ2K `.4.203`. HTJ2K Lossless RPCL `.4.202` adds constraints on progression
///   order and TLM markers the builder does not verify, so it is used only when the part asks for it with a
///   `transfer-syntax` parameter and the progression order is RPCL.
enum JPEG2000Header {
    /// Where the codestream lies in the part, and what it says.
    struct Result {
        var codestreamOffset: UInt64
        var codestreamLength: UInt64
        var description: PixelDescription
        /// The progression order from COD (0 LRCP … 2 RPCL …).
        var progressionOrder: Int
        var isReversible: Bool
        var isHighThroughput: Bool
    }

    /// Finds and describes the codestream of `file`, which is a JP2/JPH file or a raw codestream.
    static func describe(_ file: BulkInputFile, highThroughput: Bool) throws(BulkIngestError) -> Result {
        let (offset, length) = try codestream(file)
        var result = try parseMainHeader(file, offset: offset, length: length)
        result.isHighThroughput = result.isHighThroughput || highThroughput
        result.description.transferSyntaxUID =
            result.isHighThroughput
            ? (result.isReversible ? "1.2.840.10008.1.2.4.201" : "1.2.840.10008.1.2.4.203")
            : (result.isReversible ? "1.2.840.10008.1.2.4.90" : "1.2.840.10008.1.2.4.91")
        return result
    }

    /// The codestream's offset and length: the whole part when it starts with SOC SIZ (FF4F FF51), else the
    /// first `jp2c` box of a JP2 file (ISO/IEC 15444-1 Annex I).
    static func codestream(_ file: BulkInputFile) throws(BulkIngestError) -> (UInt64, UInt64) {
        let start = try file.read(at: 0, count: 12)
        if start.starts(with: [0xFF, 0x4F, 0xFF, 0x51]) { return (0, file.size) }
        guard start == [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A] else {
            throw invalid("neither a JP2 file nor a J2K codestream")
        }
        var position: UInt64 = 0
        while position + 8 <= file.size {
            let head = try file.readExactly(at: position, count: 8, what: "JP2 box")
            var boxLength = UInt64(be32(head, 0))
            var headerLength: UInt64 = 8
            if boxLength == 1 {
                let large = try file.readExactly(at: position + 8, count: 8, what: "JP2 box")
                boxLength = UInt64(be32(large, 0)) << 32 | UInt64(be32(large, 4))
                headerLength = 16
            } else if boxLength == 0 {
                boxLength = file.size - position
            }
            // Compared without adding: a 64-bit box length may be anything, and position + length must not overflow.
            guard boxLength >= headerLength, boxLength <= file.size - position else {
                throw invalid("box at \(position) overruns the file")
            }
            if head[4...7].elementsEqual(Array("jp2c".utf8)) {
                return (position + headerLength, boxLength - headerLength)
            }
            position += boxLength
        }
        throw invalid("the JP2 file has no contiguous codestream box")
    }

    private static func parseMainHeader(
        _ file: BulkInputFile, offset: UInt64, length: UInt64
    ) throws(BulkIngestError) -> Result {
        let end = offset + length
        let soc = try file.readExactly(at: offset, count: 2, what: "J2K")
        guard soc == [0xFF, 0x4F] else { throw invalid("the codestream does not start with SOC") }
        var position = offset + 2
        var size: (rows: Int, columns: Int, depth: Int, signed: Bool, components: Int)?
        var reversible: Bool?
        var multipleComponentTransform = false
        var progression = 0
        var highThroughput = false
        while position + 4 <= end {
            let head = try file.readExactly(at: position, count: 4, what: "J2K marker")
            guard head[0] == 0xFF else { throw invalid("expected a marker at byte \(position - offset)") }
            if head[1] == 0x90 || head[1] == 0x93 { break }  // SOT or SOD: the main header is over
            let segmentLength = Int(head[2]) << 8 | Int(head[3])
            guard segmentLength >= 2 else { throw invalid("bad marker segment length") }
            let body = try file.readExactly(at: position + 4, count: segmentLength - 2, what: "J2K marker segment")
            switch head[1] {
            case 0x51:  // SIZ
                guard body.count >= 36 + 3 else { throw invalid("short SIZ") }
                let columns = Int(be32(body, 2)) - Int(be32(body, 10))
                let rows = Int(be32(body, 6)) - Int(be32(body, 14))
                let count = Int(body[34]) << 8 | Int(body[35])
                guard count > 0, body.count >= 36 + 3 * count else { throw invalid("short SIZ") }
                let ssiz = body[36]
                for i in 1..<count where body[36 + 3 * i] != ssiz {
                    throw invalid("components have different bit depths")
                }
                size = (rows, columns, Int(ssiz & 0x7F) + 1, ssiz & 0x80 != 0, count)
            case 0x52:  // COD
                guard body.count >= 10 else { throw invalid("short COD") }
                progression = Int(body[1])
                multipleComponentTransform = body[4] != 0
                reversible = body[9] == 1
            case 0x50:  // CAP: Pcap bit for Part 15 (HT)
                if body.count >= 4, be32(body, 0) & 0x0002_0000 != 0 { highThroughput = true }
            default: break
            }
            position += 2 + UInt64(segmentLength)
        }
        guard let size else { throw invalid("no SIZ marker") }
        guard let reversible else { throw invalid("no COD marker in the main header") }
        guard size.rows > 0, size.columns > 0 else { throw invalid("empty image") }
        guard size.components == 1 || size.components == 3 else {
            throw invalid("\(size.components) components; DICOM allows 1 or 3")
        }
        guard size.depth <= 16 else { throw invalid("\(size.depth)-bit samples; DICOM JPEG 2000 allows up to 16") }
        // PS3.5 §8.2.4: with the multiple component transformation the colour space is YBR_RCT (reversible) or
        // YBR_ICT (irreversible); without it, RGB.
        var photometric = "MONOCHROME2"
        var acceptable: Set<String> = ["MONOCHROME1", "MONOCHROME2"]
        if size.components == 3 {
            photometric = multipleComponentTransform ? (reversible ? "YBR_RCT" : "YBR_ICT") : "RGB"
            acceptable = [photometric]
            if !multipleComponentTransform { acceptable.insert("YBR_FULL") }
        }
        let description = PixelDescription(
            rows: size.rows, columns: size.columns, samplesPerPixel: size.components, bitsStored: size.depth,
            isSigned: size.signed, photometricInterpretation: photometric,
            acceptablePhotometricInterpretations: acceptable, transferSyntaxUID: "")
        return Result(
            codestreamOffset: offset, codestreamLength: length, description: description,
            progressionOrder: progression, isReversible: reversible, isHighThroughput: highThroughput)
    }

    private static func invalid(_ message: String) -> BulkIngestError {
        BulkIngestError(.invalidBulkContent, "JPEG 2000: " + message)
    }
}

/// The big-endian 32-bit number at `index`.
func be32(_ bytes: [UInt8], _ index: Int) -> UInt32 {
    UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8
        | UInt32(bytes[index + 3])
}

/// The big-endian 16-bit number at `index`.
func be16(_ bytes: [UInt8], _ index: Int) -> Int { Int(bytes[index]) << 8 | Int(bytes[index + 1]) }
