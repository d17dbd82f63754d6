/// Reads what a JPEG stream (ISO/IEC 10918-1 Annex B) says about its pixels from the frame header (SOFn),
/// the first scan header (SOS) and the Adobe APP14 segment, and chooses the transfer syntax (PS3.5 §8.2.1,
/// §A.4.1):
///
/// - SOF0 (baseline, 8-bit) → JPEG Baseline (Process 1), `1.2.840.10008.1.2.4.50`;
/// - SOF1 (extended sequential Huffman, 8 or 12-bit) → JPEG Extended (Process 2 & 4), `.4.51`;
/// - SOF3 (lossless Huffman) → with first-order prediction (selection value 1) `.4.70`, else `.4.57`.
///
/// Progressive, hierarchical and arithmetic-coded processes have only retired transfer syntaxes and are refused.
enum JPEGHeader {
    /// Parses the header of the JPEG at `offset` in `file`, reading segment by segment (never the scan data).
    static func describe(
        _ file: BulkInputFile, offset: UInt64 = 0, length: UInt64
    ) throws(BulkIngestError)
        -> PixelDescription
    {
        let end = offset + length
        let soi = try file.readExactly(at: offset, count: 2, what: "JPEG")
        guard soi == [0xFF, 0xD8] else { throw invalid("the data does not start with a JPEG SOI marker") }
        var position = offset + 2
        var frame: Frame?
        var adobeTransform: Int?
        var jfif = false
        while position + 4 <= end {
            let head = try file.readExactly(at: position, count: 4, what: "JPEG marker")
            guard head[0] == 0xFF else { throw invalid("expected a marker at byte \(position - offset)") }
            let marker = head[1]
            if marker == 0xFF {  // fill byte
                position += 1
                continue
            }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {
                position += 2
                continue
            }
            if marker == 0xD9 { break }
            let segmentLength = Int(head[2]) << 8 | Int(head[3])
            guard segmentLength >= 2, position + 2 + UInt64(segmentLength) <= end else {
                throw invalid("segment FF\(hex(marker)) overruns the data")
            }
            let body = try file.readExactly(at: position + 4, count: segmentLength - 2, what: "JPEG segment")
            let isFrameHeader = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            switch marker {
            case _ where isFrameHeader:
                guard body.count >= 6 else { throw invalid("short frame header") }
                let count = Int(body[5])
                guard body.count >= 6 + 3 * count else { throw invalid("short frame header") }
                var components: [Component] = []
                for i in 0..<count {
                    let sampling = body[7 + 3 * i]
                    components.append(Component(id: body[6 + 3 * i], h: Int(sampling >> 4), v: Int(sampling & 0x0F)))
                }
                frame = Frame(
                    marker: marker, precision: Int(body[0]), rows: be16(body, 1), columns: be16(body, 3),
                    components: components)
            case 0xE0 where body.starts(with: Array("JFIF\0".utf8)):
                jfif = true
            case 0xEE where body.count >= 12 && body.starts(with: Array("Adobe".utf8)):
                adobeTransform = Int(body[11])
            case 0xDA:
                guard let frame else { throw invalid("scan before frame header") }
                let count = Int(body.first ?? 0)
                guard body.count >= 1 + 2 * count + 3 else { throw invalid("short scan header") }
                let selection = Int(body[1 + 2 * count])
                return try describe(frame, selection: selection, adobeTransform: adobeTransform, jfif: jfif)
            default: break
            }
            position += 2 + UInt64(segmentLength)
        }
        throw invalid("no frame and scan header found")
    }

    private struct Component {
        var id: UInt8
        var h: Int
        var v: Int
    }

    private struct Frame {
        var marker: UInt8
        var precision: Int
        var rows: Int
        var columns: Int
        var components: [Component]
    }

    private static func describe(
        _ frame: Frame,
        selection: Int, adobeTransform: Int?, jfif: Bool
    ) throws(BulkIngestError) -> PixelDescription {
        let ts: String
        switch frame.marker {
        case 0xC0:
            guard frame.precision == 8 else { throw invalid("baseline JPEG with \(frame.precision)-bit samples") }
            ts = "1.2.840.10008.1.2.4.50"
        case 0xC1:
            guard frame.precision == 8 || frame.precision == 12 else {
                throw invalid("extended JPEG with \(frame.precision)-bit samples")
            }
            ts = "1.2.840.10008.1.2.4.51"
        case 0xC3:
            guard (2...16).contains(frame.precision) else {
                throw invalid("lossless JPEG precision \(frame.precision)")
            }
            ts = selection == 1 ? "1.2.840.10008.1.2.4.70" : "1.2.840.10008.1.2.4.57"
        default:
            throw BulkIngestError(
                .unsupportedMediaType,
                "JPEG process SOF\(Int(frame.marker) - 0xC0) (progressive, hierarchical or arithmetic) has no "
                    + "non-retired transfer syntax (PS3.5 §A.4.1)")
        }
        guard frame.rows > 0 else { throw invalid("the frame header gives no number of lines (DNL is not supported)") }
        guard frame.columns > 0 else { throw invalid("the frame header gives zero samples per line") }
        let samples = frame.components.count
        guard samples == 1 || samples == 3 else { throw invalid("\(samples) components; DICOM allows 1 or 3") }
        var photometric = "MONOCHROME2"
        var acceptable: Set<String> = ["MONOCHROME1", "MONOCHROME2"]
        if samples == 3 {
            let ids = frame.components.map(\.id)
            let lossless = frame.marker == 0xC3
            if adobeTransform == 0 || ids == [0x52, 0x47, 0x42] || (lossless && adobeTransform == nil && !jfif) {
                photometric = "RGB"
            } else {
                // PS3.5 §8.2.1: YBR_FULL_422 when chrominance is subsampled horizontally, else YBR_FULL.
                let subsampled = frame.components[0].h > frame.components[1].h
                photometric = subsampled ? "YBR_FULL_422" : "YBR_FULL"
            }
            acceptable = lossless ? ["RGB", "YBR_FULL"] : ["RGB", "YBR_FULL", "YBR_FULL_422"]
        }
        return PixelDescription(
            rows: frame.rows, columns: frame.columns, samplesPerPixel: samples, bitsStored: frame.precision,
            isSigned: nil, photometricInterpretation: photometric, acceptablePhotometricInterpretations: acceptable,
            transferSyntaxUID: ts)
    }

    private static func invalid(_ message: String) -> BulkIngestError {
        BulkIngestError(.invalidBulkContent, "JPEG: " + message)
    }

    private static func hex(_ byte: UInt8) -> String {
        let s = String(byte, radix: 16, uppercase: true)
        return s.count == 1 ? "0" + s : s
    }
}
