import DICOMCore
import DICOMweb

/// Turns the parts referenced by Pixel Data (7FE0,0010) into a streamed value, a transfer syntax, and the
/// Image Pixel Module attributes (PS3.3 §C.7.6.3) the content determines (PS3.18 §10.5.1.2.2: the bulk data
/// of a compressed image is the compressed bit stream in the media type's format).
///
/// One part is one frame; several parts with the same Content-Location are the frames of a multi-frame image
/// (JPEG and JPEG 2000 only: each becomes one fragment). A video stream is one fragment: the MPEG-2 and
/// non-fragmentable MPEG-4 transfer syntaxes allow no other layout, so a stream that does not fit one item
/// (2³² − 2 bytes) is refused; the Fragmentable variants of PS3.5 §8.2.7 are not chosen automatically.
enum PixelDataIngest {
    /// The error for a frame or stream that does not fit one fragment item.
    static func fragmentTooLong(_ length: UInt64) -> BulkIngestError {
        BulkIngestError(
            .invalidBulkContent, "\(length) bytes do not fit one fragment (at most 4294967294 bytes)", tag: .pixelData)
    }

    /// Multi-frame SOP classes whose Multi-frame Module makes Number of Frames (0028,0008) Type 1, for which
    /// it is filled in as 1 for a single frame.
    static let multiFrameSOPClasses: Set<String> = [
        "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.4.1", "1.2.840.10008.5.1.4.1.1.3.1",
        "1.2.840.10008.5.1.4.1.1.6.2", "1.2.840.10008.5.1.4.1.1.7.1", "1.2.840.10008.5.1.4.1.1.7.2",
        "1.2.840.10008.5.1.4.1.1.7.3", "1.2.840.10008.5.1.4.1.1.7.4", "1.2.840.10008.5.1.4.1.1.12.1",
        "1.2.840.10008.5.1.4.1.1.12.1.1", "1.2.840.10008.5.1.4.1.1.12.2", "1.2.840.10008.5.1.4.1.1.12.2.1",
        "1.2.840.10008.5.1.4.1.1.20", "1.2.840.10008.5.1.4.1.1.77.1.1.1", "1.2.840.10008.5.1.4.1.1.77.1.2.1",
        "1.2.840.10008.5.1.4.1.1.77.1.4.1", "1.2.840.10008.5.1.4.1.1.77.1.6", "1.2.840.10008.5.1.4.1.1.128",
        "1.2.840.10008.5.1.4.1.1.130", "1.2.840.10008.5.1.4.1.1.13.1.3",
    ]

    /// The value to stream and the transfer syntax for Pixel Data referencing `indices` of `parts`.
    static func ingest(
        element: DataElement, indices: [Int], parts: [BulkDataPart], files: [BulkInputFile],
        editor: inout AttributeEditor
    ) throws(BulkIngestError) -> (StreamedValue, TransferSyntax) {
        let media = parts[indices[0]].mediaType
        guard indices.allSatisfy({ parts[$0].mediaType.hasSameEssence(as: media) }) else {
            throw BulkIngestError(.invalidBulkContent, "the frames have different media types", tag: .pixelData)
        }
        let requested = parts[indices[0]].mediaType[parameter: "transfer-syntax"]
        for i in indices where files[i].size > 0xFFFF_FFFE && media.essence != "application/octet-stream" {
            throw fragmentTooLong(files[i].size)
        }
        switch media.essence {
        case "image/jpeg":
            var descriptions: [PixelDescription] = []
            for i in indices {
                descriptions.append(try JPEGHeader.describe(files[i], length: files[i].size))
            }
            let ranges = indices.map { FileRange(part: $0, offset: 0, length: files[$0].size) }
            return try image(descriptions, ranges, requested: requested, editor: &editor)
        case "image/jp2", "image/j2c", "image/jphc", "image/jph":
            var descriptions: [PixelDescription] = []
            var ranges: [FileRange] = []
            let highThroughput = media.subtype.hasPrefix("jph")
            var progressions: Set<Int> = []
            for i in indices {
                let r = try JPEG2000Header.describe(files[i], highThroughput: highThroughput)
                descriptions.append(r.description)
                ranges.append(FileRange(part: i, offset: r.codestreamOffset, length: r.codestreamLength))
                progressions.insert(r.progressionOrder)
            }
            let result = try image(descriptions, ranges, requested: requested, editor: &editor)
            if result.1.uid == "1.2.840.10008.1.2.4.202" && progressions != [2] {
                throw BulkIngestError(
                    .unsupportedMediaType, "HTJ2K Lossless RPCL needs RPCL progression order", tag: .pixelData)
            }
            return result
        case "image/png":
            guard indices.count == 1 else {
                throw BulkIngestError(.unsupportedMediaType, "multi-frame PNG is not supported", tag: .pixelData)
            }
            _ = try TransferSyntaxChoice.choose(derived: "1.2.840.10008.1.2.1", requested: requested)
            let decoder = try PNGDecoder(files[indices[0]])
            apply(decoder.description, frames: 1, editor: &editor)
            return (.png(decoder, part: indices[0], vr: decoder.bitDepth > 8 ? .OW : .OB), .explicitVRLittleEndian)
        case "video/mpeg", "video/mp4":
            guard indices.count == 1 else {
                throw BulkIngestError(.unsupportedMediaType, "a video must be a single part", tag: .pixelData)
            }
            let file = files[indices[0]]
            let d = try describeVideo(file, mpeg2: media.subtype == "mpeg", editor: &editor)
            let ts = try TransferSyntaxChoice.choose(derived: d.transferSyntaxUID, requested: requested)
            applyVideo(d, editor: &editor)
            return (.encapsulated([FileRange(part: indices[0], offset: 0, length: file.size)]), TransferSyntax(uid: ts))
        case "application/octet-stream":
            _ = try TransferSyntaxChoice.choose(derived: "1.2.840.10008.1.2.1", requested: requested)
            let ranges = indices.map { FileRange(part: $0, offset: 0, length: files[$0].size) }
            try checkNativeLength(ranges.reduce(0) { $0 + $1.length }, editor: &editor)
            let vr: VR = element.vr == .OB || element.vr == .OW ? element.vr : .OW
            return (.native(vr: vr, ranges), .explicitVRLittleEndian)
        default:
            throw BulkIngestError(
                .unsupportedMediaType, "\(media.essence) cannot be stored as Pixel Data", tag: .pixelData)
        }
    }

    /// Frames of a compressed still image: every frame must agree; the description is applied once.
    private static func image(
        _ descriptions: [PixelDescription], _ ranges: [FileRange], requested: String?, editor: inout AttributeEditor
    ) throws(BulkIngestError) -> (StreamedValue, TransferSyntax) {
        let first = descriptions[0]
        for (n, d) in descriptions.enumerated().dropFirst() where d != first {
            throw BulkIngestError(
                .invalidBulkContent,
                "frame \(n + 1) differs from frame 1 (\(d.columns)×\(d.rows), \(d.samplesPerPixel) samples, "
                    + "\(d.bitsStored) bits, \(d.transferSyntaxUID))", tag: .pixelData)
        }
        let ts = try TransferSyntaxChoice.choose(derived: first.transferSyntaxUID, requested: requested)
        apply(first, frames: descriptions.count, editor: &editor)
        return (.encapsulated(ranges), TransferSyntax(uid: ts))
    }

    /// Applies the Image Pixel Module values of a still image.
    static func apply(_ d: PixelDescription, frames: Int, editor: inout AttributeEditor) {
        let source = "from the bulk data"
        editor.setUS(.rows, d.rows, source: source)
        editor.setUS(.columns, d.columns, source: source)
        editor.setUS(.samplesPerPixel, d.samplesPerPixel, source: source)
        editor.setUS(.bitsAllocated, d.bitsAllocated, source: source)
        // Bits Stored may be less than the stream's precision (a 12-bit image in a 16-bit lossless JPEG), not more.
        let stored = editor.dataSet.int(.bitsStored).flatMap { $0 >= 1 && $0 <= d.bitsStored ? $0 : nil }
        editor.setUS(.bitsStored, stored ?? d.bitsStored, source: "at most the stream's \(d.bitsStored)-bit precision")
        editor.setUS(.highBit, (stored ?? d.bitsStored) - 1, source: "Bits Stored − 1")
        if let signed = d.isSigned {
            if let given = editor.dataSet.int(.pixelRepresentation), given != (signed ? 1 : 0) {
                editor.warn(
                    .pixelRepresentation, "is \(given) but the stream's samples are \(signed ? "" : "un")signed")
            }
            editor.fill(DataElement(.pixelRepresentation, .US, bytes: [signed ? 1 : 0, 0]))
        } else {
            editor.fill(DataElement(.pixelRepresentation, .US, bytes: [0, 0]))
        }
        let given = editor.dataSet.string(.photometricInterpretation) ?? ""
        if !d.acceptablePhotometricInterpretations.contains(given) && given != d.photometricInterpretation {
            editor.setCS(.photometricInterpretation, d.photometricInterpretation, source: source)
        }
        if d.samplesPerPixel > 1 { editor.setUS(.planarConfiguration, 0, source: "colour-by-pixel in the stream") }
        let sopClass = editor.dataSet.string(.sopClassUID) ?? ""
        if frames > 1 || editor.dataSet.contains(.numberOfFrames) || multiFrameSOPClasses.contains(sopClass) {
            editor.setIS(.numberOfFrames, frames, source: "one frame per part")
        }
    }

    /// The video's description from its stream or, when the stream cannot be read, from Rows and Columns in
    /// the metadata with the Main Level / Level 4.1 transfer syntax (an error when the metadata lacks them).
    private static func describeVideo(
        _ file: BulkInputFile, mpeg2: Bool, editor: inout AttributeEditor
    ) throws(BulkIngestError) -> PixelDescription {
        do {
            return mpeg2 ? try MPEG2VideoHeader.describe(file) : try MP4VideoHeader.describe(file)
        } catch  where error.code == .invalidBulkContent {
            guard let rows = editor.dataSet.int(.rows), let columns = editor.dataSet.int(.columns) else {
                throw BulkIngestError(
                    .missingAttribute,
                    "Rows and Columns are absent and the video stream does not give them (\(error.message))",
                    tag: .pixelData)
            }
            editor.warn(
                .pixelData, "video stream not understood (\(error.message)); Rows and Columns from the metadata")
            return PixelDescription(
                rows: rows, columns: columns, samplesPerPixel: 3, bitsStored: 8, isSigned: false,
                photometricInterpretation: "YBR_PARTIAL_420",
                transferSyntaxUID: mpeg2 ? "1.2.840.10008.1.2.4.100" : "1.2.840.10008.1.2.4.102")
        }
    }

    /// Applies the values PS3.5 §8.2.5–8.2.9 fix for video, and those the stream gives.
    static func applyVideo(_ d: PixelDescription, editor: inout AttributeEditor) {
        let source = "fixed for \(d.transferSyntaxUID) (PS3.5 §8.2)"
        editor.setUS(.rows, d.rows, source: "from the video stream")
        editor.setUS(.columns, d.columns, source: "from the video stream")
        editor.setUS(.samplesPerPixel, 3, source: source)
        editor.setCS(.photometricInterpretation, d.photometricInterpretation, source: source)
        editor.setUS(.planarConfiguration, 0, source: source)
        editor.setUS(.bitsAllocated, 8, source: source)
        editor.setUS(.bitsStored, 8, source: source)
        editor.setUS(.highBit, 7, source: source)
        editor.setUS(.pixelRepresentation, 0, source: source)
        if let frames = d.numberOfFrames { editor.setIS(.numberOfFrames, frames, source: "from the video stream") }
        if !editor.dataSet.contains(.numberOfFrames) {
            editor.warn(.numberOfFrames, "absent and not found in the video stream")
        }
        if let frameTime = d.frameTime {
            editor.setDS(.frameTime, frameTime, source: "from the video stream")
            // From the file: a rate past what an IS holds (12 characters) is left out rather than trapping.
            if let rate = Int(exactly: (1000 / frameTime).rounded()), (1...999_999_999_999).contains(rate) {
                editor.fill(DataElement(.cineRate, .IS, bytes: Array(String(rate).utf8)))
            }
        }
        // Frame Increment Pointer: frames are spaced by Frame Time (PS3.3 §C.7.6.6).
        editor.fill(DataElement(.frameIncrementPointer, .AT, bytes: [0x18, 0x00, 0x63, 0x10]))
    }

    /// Checks native pixel data against Rows × Columns × Samples × Frames × Bits Allocated when all are given.
    private static func checkNativeLength(_ length: UInt64, editor: inout AttributeEditor) throws(BulkIngestError) {
        let ds = editor.dataSet
        guard let rows = ds.int(.rows), let columns = ds.int(.columns), let bits = ds.int(.bitsAllocated) else {
            return
        }
        let samples = ds.int(.samplesPerPixel) ?? 1
        let frames = ds.int(.numberOfFrames) ?? 1
        let expected = (UInt64(rows) * UInt64(columns) * UInt64(samples) * UInt64(frames) * UInt64(bits) + 7) / 8
        if length < expected {
            throw BulkIngestError(
                .invalidBulkContent, "\(length) bytes of native pixel data; the attributes need \(expected)",
                tag: .pixelData)
        }
        if length > expected + 1 {
            editor.warn(.pixelData, "\(length) bytes of native pixel data; the attributes need only \(expected)")
        }
    }
}
