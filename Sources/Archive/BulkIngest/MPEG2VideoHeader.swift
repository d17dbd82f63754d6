/// Reads an MPEG-2 video stream (ISO/IEC 13818-2 elementary stream, or one carried in a program or transport
/// stream, ISO/IEC 13818-1) for what PS3.5 §8.2.5–8.2.6 needs: the size and frame rate from the sequence
/// header, the profile and level from the sequence extension, and the number of pictures.
///
/// Transfer syntax: MPEG2 Main Profile / High Level `1.2.840.10008.1.2.4.101` when the sequence extension
/// says High or High-1440 level or the frame is larger than 720×576, else Main Profile / Main Level `.4.100`.
/// Pictures are counted by their start codes (00 00 01 00) over the whole stream, read in 1 MiB chunks; in a
/// transport stream (sync byte 0x47) packet headers can split start codes, so no count is taken there.
enum MPEG2VideoHeader {
    /// Frame rates by `frame_rate_code` (ISO/IEC 13818-2 Table 6-4).
    private static let frameRates: [Int: Double] = [
        1: 24000.0 / 1001, 2: 24, 3: 25, 4: 30000.0 / 1001, 5: 30, 6: 50, 7: 60000.0 / 1001, 8: 60,
    ]

    static func describe(_ file: BulkInputFile) throws(BulkIngestError) -> PixelDescription {
        let first = try file.read(at: 0, count: 4)
        let isTransportStream = first.first == 0x47
        var width = 0
        var height = 0
        var rateCode = 0
        var level: Int?
        var sawSequenceHeader = false
        var sawExtension = false
        var pictures = 0
        var buffer = [UInt8](repeating: 0, count: bulkChunkSize + 16)
        var offset: UInt64 = 0
        while offset < file.size {
            let n = try file.read(at: offset, into: &buffer, count: min(buffer.count, Int(file.size - offset)))
            guard n >= 4 else { break }
            var i = 0
            while i + 3 < n {
                if buffer[i + 2] > 1 {
                    i += 3
                    continue
                }
                if buffer[i] == 0 && buffer[i + 1] == 0 && buffer[i + 2] == 1 {
                    let code = buffer[i + 3]
                    let at = offset + UInt64(i) + 4
                    if code == 0xB3 && !sawSequenceHeader {
                        let b = try file.readExactly(at: at, count: 4, what: "MPEG-2 sequence header")
                        width = Int(b[0]) << 4 | Int(b[1] >> 4)
                        height = Int(b[1] & 0x0F) << 8 | Int(b[2])
                        rateCode = Int(b[3] & 0x0F)
                        sawSequenceHeader = true
                    } else if code == 0xB5 && sawSequenceHeader && !sawExtension {
                        let b = try file.readExactly(at: at, count: 3, what: "MPEG-2 sequence extension")
                        if b[0] >> 4 == 1 {
                            sawExtension = true
                            level = Int(b[1] >> 4)
                            width |= (Int(b[1] & 1) << 1 | Int(b[2] >> 7)) << 12
                            height |= Int(b[2] >> 5 & 3) << 12
                        }
                    } else if code == 0x00 {
                        pictures += 1
                    }
                    i += 4
                } else {
                    i += 1
                }
            }
            if offset + UInt64(n) >= file.size { break }
            offset += UInt64(n - 3)  // keep three bytes so a start code across chunks is seen
            if isTransportStream && sawSequenceHeader && sawExtension { break }
        }
        guard sawSequenceHeader, width > 0, height > 0 else {
            throw BulkIngestError(.invalidBulkContent, "MPEG-2: no sequence header found")
        }
        let highLevel = level == 4 || level == 6 || width > 720 || height > 576
        var description = PixelDescription(
            rows: height, columns: width, samplesPerPixel: 3, bitsStored: 8, isSigned: false,
            photometricInterpretation: "YBR_PARTIAL_420", acceptablePhotometricInterpretations: ["YBR_PARTIAL_420"],
            transferSyntaxUID: highLevel ? "1.2.840.10008.1.2.4.101" : "1.2.840.10008.1.2.4.100")
        if let rate = frameRates[rateCode] { description.frameTime = 1000 / rate }
        if !isTransportStream && pictures > 0 { description.numberOfFrames = pictures }
        return description
    }
}
