import CZlib

/// Decodes PNG (ISO/IEC 15948, RFC 2083) into native pixel data, streaming: the IDAT chunks are inflated
/// and unfiltered one row at a time, so memory is bounded by a row and the copy chunk, never the image.
///
/// Supported: non-interlaced, 8 or 16 bits per sample, greyscale (MONOCHROME2) or truecolour (RGB, colour-by-
/// pixel, PlanarConfiguration 0); greyscale+alpha and RGBA when every pixel is opaque (the alpha channel is
/// then dropped; a transparent pixel fails the decode, since DICOM has no alpha). 16-bit samples are stored
/// little endian (PS3.5 §A.2, Explicit VR Little Endian). Refused: interlaced (Adam7) images, palette images
/// and bit depths below 8.
struct PNGDecoder {
    let width: Int
    let height: Int
    let bitDepth: Int
    let colorType: Int
    /// The IDAT chunks' data, in order.
    let dataRanges: [(offset: UInt64, length: UInt64)]

    /// Samples per pixel in the PNG, including alpha.
    var channels: Int { [0: 1, 2: 3, 4: 2, 6: 4][colorType] ?? 1 }
    /// Samples per pixel written to DICOM (alpha dropped).
    var outputSamples: Int { colorType == 2 || colorType == 6 ? 3 : 1 }
    /// Length of the native pixel data.
    var outputLength: UInt64 { UInt64(width) * UInt64(height) * UInt64(outputSamples * bitDepth / 8) }

    /// What the decoded pixels are (Explicit VR Little Endian).
    var description: PixelDescription {
        PixelDescription(
            rows: height, columns: width, samplesPerPixel: outputSamples, bitsStored: bitDepth, isSigned: false,
            photometricInterpretation: outputSamples == 3 ? "RGB" : "MONOCHROME2",
            acceptablePhotometricInterpretations: outputSamples == 3 ? ["RGB"] : ["MONOCHROME2", "MONOCHROME1"],
            transferSyntaxUID: "1.2.840.10008.1.2.1")
    }

    /// Reads the chunk layout of the PNG in `file` and checks that it can be decoded.
    init(_ file: BulkInputFile) throws(BulkIngestError) {
        let signature = try file.read(at: 0, count: 8)
        guard signature == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Self.invalid("missing PNG signature")
        }
        var position: UInt64 = 8
        var header: [UInt8]?
        var ranges: [(UInt64, UInt64)] = []
        while position + 8 <= file.size {
            let head = try file.readExactly(at: position, count: 8, what: "PNG chunk")
            let length = UInt64(be32(head, 0))
            let type = String(decoding: head[4...7], as: UTF8.self)
            guard position + 12 + length <= file.size else { throw Self.invalid("chunk \(type) overruns the file") }
            switch type {
            case "IHDR": header = try file.readExactly(at: position + 8, count: 13, what: "IHDR")
            case "IDAT": ranges.append((position + 8, length))
            case "IEND": position = file.size
            default: break
            }
            position += 12 + length
        }
        guard let header, header.count == 13 else { throw Self.invalid("no IHDR chunk") }
        width = Int(be32(header, 0))
        height = Int(be32(header, 4))
        bitDepth = Int(header[8])
        colorType = Int(header[9])
        dataRanges = ranges
        guard width > 0, height > 0, width <= 0xFFFF, height <= 0xFFFF else {
            throw Self.invalid("size \(width)×\(height) does not fit Rows and Columns")
        }
        guard header[12] == 0 else {
            throw BulkIngestError(.unsupportedMediaType, "PNG: interlaced (Adam7) images are not supported")
        }
        guard header[10] == 0, header[11] == 0 else { throw Self.invalid("unknown compression or filter method") }
        guard [0, 2, 4, 6].contains(colorType) else {
            throw BulkIngestError(.unsupportedMediaType, "PNG: colour type \(colorType) (palette) is not supported")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw BulkIngestError(.unsupportedMediaType, "PNG: \(bitDepth)-bit samples are not supported")
        }
        guard !ranges.isEmpty else { throw Self.invalid("no IDAT chunk") }
    }

    /// Decodes the image, handing native little-endian pixel bytes to `sink` in chunks (the first `count`
    /// bytes of the buffer); exactly ``outputLength`` bytes in all.
    func decode(
        _ file: BulkInputFile, into sink: (_ bytes: [UInt8], _ count: Int) throws(BulkIngestError) -> Void
    ) throws(BulkIngestError) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        guard inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Self.invalid("inflateInit failed")
        }
        let bytesPerPixel = channels * bitDepth / 8
        let rowLength = width * bytesPerPixel
        var previous = [UInt8](repeating: 0, count: rowLength)
        var row = [UInt8](repeating: 0, count: rowLength + 1)
        var rowFill = 0
        var rowsDone = 0
        var output = [UInt8](repeating: 0, count: max(bulkChunkSize, width * outputSamples * bitDepth / 8))
        var outputCount = 0
        let outputRowLength = width * outputSamples * bitDepth / 8
        var input = [UInt8](repeating: 0, count: 1 << 16)
        var inflated = [UInt8](repeating: 0, count: 1 << 16)
        var finished = false

        func emitRow() throws(BulkIngestError) {
            try Self.unfilter(&row, previous: previous, bytesPerPixel: bytesPerPixel)
            if outputCount + outputRowLength > output.count {
                try sink(output, outputCount)
                outputCount = 0
            }
            try convert(row, into: &output, at: outputCount)
            outputCount += outputRowLength
            for i in 0..<rowLength { previous[i] = row[i + 1] }
            rowsDone += 1
        }

        for range in dataRanges where !finished {
            var done: UInt64 = 0
            while done < range.length && !finished {
                let n = Int(min(UInt64(input.count), range.length - done))
                let got = try file.read(at: range.offset + done, into: &input, count: n)
                guard got == n else { throw Self.invalid("IDAT ends early") }
                done += UInt64(n)
                var consumed = 0
                var outputWasFull = false
                // Continue while input remains, or while inflate filled the output and may hold more of it.
                while (consumed < n || outputWasFull) && !finished {
                    var status: Int32 = Z_OK
                    var produced = 0
                    input.withUnsafeMutableBufferPointer { inBuffer in
                        inflated.withUnsafeMutableBufferPointer { outBuffer in
                            stream.pointee.next_in = inBuffer.baseAddress! + consumed
                            stream.pointee.avail_in = UInt32(n - consumed)
                            stream.pointee.next_out = outBuffer.baseAddress
                            stream.pointee.avail_out = UInt32(outBuffer.count)
                            status = inflate(stream, Z_NO_FLUSH)
                            consumed = n - Int(stream.pointee.avail_in)
                            produced = outBuffer.count - Int(stream.pointee.avail_out)
                        }
                    }
                    guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && produced == 0) else {
                        throw Self.invalid("corrupt image data (zlib status \(status))")
                    }
                    outputWasFull = produced == inflated.count
                    var i = 0
                    while i < produced {
                        guard rowsDone < height else { throw Self.invalid("more image data than \(height) rows") }
                        let take = min(produced - i, rowLength + 1 - rowFill)
                        for k in 0..<take { row[rowFill + k] = inflated[i + k] }
                        rowFill += take
                        i += take
                        if rowFill == rowLength + 1 {
                            try emitRow()
                            rowFill = 0
                        }
                    }
                    if status == Z_STREAM_END { finished = true }
                    if status == Z_BUF_ERROR { break }
                }
            }
        }
        guard rowsDone == height else { throw Self.invalid("image data ends after \(rowsDone) of \(height) rows") }
        if outputCount > 0 { try sink(output, outputCount) }
    }

    /// Reverses the PNG filter of `row` (filter type byte first) in place (PNG §9).
    static func unfilter(_ row: inout [UInt8], previous: [UInt8], bytesPerPixel bpp: Int) throws(BulkIngestError) {
        let n = row.count - 1
        switch row[0] {
        case 0: break
        case 1:
            for i in bpp..<max(n, bpp) { row[i + 1] = row[i + 1] &+ row[i + 1 - bpp] }
        case 2:
            for i in 0..<n { row[i + 1] = row[i + 1] &+ previous[i] }
        case 3:
            for i in 0..<n {
                let left = i >= bpp ? Int(row[i + 1 - bpp]) : 0
                row[i + 1] = row[i + 1] &+ UInt8((left + Int(previous[i])) / 2)
            }
        case 4:
            for i in 0..<n {
                let a = i >= bpp ? Int(row[i + 1 - bpp]) : 0
                let b = Int(previous[i])
                let c = i >= bpp ? Int(previous[i - bpp]) : 0
                let p = a + b - c
                let pa = abs(p - a)
                let pb = abs(p - b)
                let pc = abs(p - c)
                let predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                row[i + 1] = row[i + 1] &+ UInt8(predictor)
            }
        default: throw invalid("unknown filter type \(row[0])")
        }
    }

    /// Writes one unfiltered row (filter byte first) as native samples: alpha dropped, 16-bit swapped to LE.
    private func convert(_ row: [UInt8], into output: inout [UInt8], at start: Int) throws(BulkIngestError) {
        let sampleBytes = bitDepth / 8
        let hasAlpha = colorType == 4 || colorType == 6
        var o = start
        var i = 1
        for _ in 0..<width {
            for _ in 0..<outputSamples {
                if sampleBytes == 1 {
                    output[o] = row[i]
                } else {
                    output[o] = row[i + 1]
                    output[o + 1] = row[i]
                }
                o += sampleBytes
                i += sampleBytes
            }
            if hasAlpha {
                let opaque = sampleBytes == 1 ? row[i] == 0xFF : row[i] == 0xFF && row[i + 1] == 0xFF
                guard opaque else {
                    throw BulkIngestError(
                        .unsupportedMediaType, "PNG: the image has transparent pixels; DICOM has no alpha channel")
                }
                i += sampleBytes
            }
        }
    }

    private static func invalid(_ message: String) -> BulkIngestError {
        BulkIngestError(.invalidBulkContent, "PNG: " + message)
    }
}
