import DICOMBinary
import DICOMCore
import LanternTestSupport
import Testing

@testable import DICOMImaging

@Suite("RLE Lossless (PS3.5 Annex G)")
struct RLECodecTests {
    static func corpus(_ name: String) throws -> DICOMFile {
        try DICOMReader.read(contentsOf: Corpus.directory.appendingPathComponent("files/\(name)").path)
    }

    /// The frames of an RLE file: one fragment per frame (PS3.5 §A.4.2).
    static func frames(_ file: DICOMFile) -> [[UInt8]] {
        guard case .encapsulated(let pixels)? = file.dataSet[.pixelData]?.value else { return [] }
        return pixels.fragments
    }

    @Test(
        "Corpus RLE frames decode to the pixels of the same image stored natively",
        arguments: [
            ("data__test_files__MR_small_RLE.dcm", "data__test_files__MR_small.dcm"),
            ("data__test_files__rtdose_rle.dcm", "data__test_files__rtdose.dcm"),
            ("data__test_files__rtdose_rle_1frame.dcm", "data__test_files__rtdose_1frame.dcm"),
        ])
    func decodesLikeNative(rle: String, native: String) throws {
        let encoded = try Self.corpus(rle)
        let reference = try Self.corpus(native)
        let geometry = try FrameGeometry(encoded.dataSet)
        let decoded = try Self.frames(encoded).flatMap { try RLECodec.decode($0, geometry: geometry) }
        let expected = reference.dataSet[.pixelData]?.value.bytes ?? []
        #expect(decoded.count == geometry.frameLength * geometry.frames)
        #expect(Array(expected.prefix(decoded.count)) == decoded)
    }

    @Test(
        "Every corpus RLE frame survives decode, encode, decode",
        arguments: [
            "data__test_files__MR_small_RLE.dcm", "data__test_files__SC_rgb_rle.dcm",
            "data__test_files__SC_rgb_rle_16bit.dcm", "data__test_files__SC_rgb_rle_16bit_2frame.dcm",
            "data__test_files__SC_rgb_rle_2frame.dcm", "data__test_files__SC_rgb_rle_32bit.dcm",
            "data__test_files__SC_rgb_rle_32bit_2frame.dcm", "data__test_files__rtdose_rle.dcm",
            "data__test_files__rtdose_rle_1frame.dcm",
        ])
    func roundTrip(name: String) throws {
        let file = try Self.corpus(name)
        let geometry = try FrameGeometry(file.dataSet)
        let frames = Self.frames(file)
        #expect(frames.count == geometry.frames)
        for frame in frames {
            let native = try RLECodec.decode(frame, geometry: geometry)
            let again = try RLECodec.decode(try RLECodec.encode(native, geometry: geometry), geometry: geometry)
            #expect(again == native)
        }
    }

    @Test(
        "Synthetic frames round-trip for every sample layout, planar configuration and depth",
        arguments: [(1, 8, 0), (1, 16, 0), (1, 32, 0), (3, 8, 0), (3, 8, 1), (3, 16, 1), (3, 32, 0), (4, 8, 0)])
    func synthetic(samples: Int, bits: Int, planar: Int) throws {
        let geometry = FrameGeometry(
            rows: 7, columns: 131, samplesPerPixel: samples, bitsAllocated: bits, bitsStored: bits,
            planarConfiguration: planar)
        // Runs, literals and long runs over 128 bytes, in every plane.
        var native = [UInt8](repeating: 0, count: geometry.frameLength)
        for i in native.indices {
            native[i] = i % 300 < 150 ? UInt8(i / 300 % 256) : UInt8(truncatingIfNeeded: i &* 37)
        }
        let encoded = try RLECodec.encode(native, geometry: geometry)
        #expect(encoded.count % 2 == 0)
        // Decoded frames keep the Planar Configuration of the data set.
        #expect(try RLECodec.decode(encoded, geometry: geometry) == native)
    }

    @Test("Damaged frames fail with an error, never a crash")
    func damaged() throws {
        let file = try Self.corpus("data__test_files__SC_rgb_rle_16bit.dcm")
        let geometry = try FrameGeometry(file.dataSet)
        let frame = Self.frames(file)[0]
        for length in [0, 10, 63, 64, 80, frame.count / 2, frame.count - 3] {
            #expect(throws: CodecError.self) { try RLECodec.decode(Array(frame.prefix(length)), geometry: geometry) }
        }
        var wrongCount = frame
        wrongCount[0] = 2
        #expect(throws: CodecError.self) { try RLECodec.decode(wrongCount, geometry: geometry) }
        var wildOffset = frame
        wildOffset[8] = 0xFF
        wildOffset[9] = 0xFF
        #expect(throws: CodecError.self) { try RLECodec.decode(wildOffset, geometry: geometry) }
        #expect(throws: CodecError.self) {
            try RLECodec.decode(
                frame, geometry: FrameGeometry(rows: 0, columns: 1, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8)
            )
        }
        // Geometries RLE cannot hold are refused before any work: 4:2:2, 1 bit, a huge plane for a tiny frame.
        var subsampled = geometry
        subsampled.photometricInterpretation = "YBR_FULL_422"
        #expect(throws: CodecError.self) { try RLECodec.decode(frame, geometry: subsampled) }
        let bits = FrameGeometry(rows: 8, columns: 8, samplesPerPixel: 1, bitsAllocated: 1, bitsStored: 1)
        #expect(throws: CodecError.self) { try RLECodec.decode(frame, geometry: bits) }
        let huge = FrameGeometry(rows: 40_000, columns: 40_000, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8)
        var tiny = Array(frame.prefix(70))
        tiny[0] = 1
        #expect(throws: CodecError.self) { try RLECodec.decode(tiny, geometry: huge) }
    }

    @Test("The decoding stream turns an RLE instance into the native one, frame by frame")
    func stream() throws {
        for (rle, native) in [
            ("data__test_files__rtdose_rle.dcm", "data__test_files__rtdose.dcm"),
            ("data__test_files__MR_small_RLE.dcm", "data__test_files__MR_small.dcm"),
        ] {
            let bytes = Corpus.bytes(Corpus.directory.appendingPathComponent("files/\(rle)").path)
            var parser = StreamParser()
            var decoding = PixelDataDecodingStream(sourceTransferSyntaxUID: RLECodec.transferSyntaxUID)
            var writer = EventWriter(transferSyntax: .explicitVRLittleEndian)
            var out: [UInt8] = []
            var offset = 0
            while offset < bytes.count {
                parser.append(bytes[offset..<min(bytes.count, offset + 1000)])
                offset += 1000
                while let event = try parser.next() {
                    for converted in try decoding.consume(event) { try writer.consume(converted) }
                }
            }
            parser.finish()
            while let event = try parser.next() {
                for converted in try decoding.consume(event) { try writer.consume(converted) }
            }
            out += writer.takeOutput()
            let result = try DICOMReader.read(out)
            let reference = try Self.corpus(native)
            #expect(result.transferSyntax == .explicitVRLittleEndian)
            let pixels = result.dataSet[.pixelData]?.value.bytes ?? []
            let expected = reference.dataSet[.pixelData]?.value.bytes ?? []
            #expect(pixels.count >= expected.count - 1 && Array(pixels.prefix(expected.count)) == expected)
        }
    }

    @Test("The encoding stream writes a native instance as RLE, one fragment per frame, that decodes back")
    func encodingStream() throws {
        for name in ["data__test_files__rtdose.dcm", "data__test_files__MR_small.dcm"] {
            let bytes = Corpus.bytes(Corpus.directory.appendingPathComponent("files/\(name)").path)
            var parser = StreamParser()
            var encoding = PixelDataEncodingStream(targetTransferSyntaxUID: RLECodec.transferSyntaxUID)
            var writer = EventWriter(transferSyntax: TransferSyntax(uid: RLECodec.transferSyntaxUID))
            parser.append(bytes[...])
            parser.finish()
            while let event = try parser.next() {
                for converted in try encoding.consume(event) { try writer.consume(converted) }
            }
            let result = try DICOMReader.read(writer.takeOutput())
            let reference = try Self.corpus(name)
            #expect(result.transferSyntax.uid == RLECodec.transferSyntaxUID)
            let geometry = try FrameGeometry(result.dataSet)
            let frames = Self.frames(result)
            #expect(frames.count == geometry.frames)
            let decoded = try frames.flatMap { try RLECodec.decode($0, geometry: geometry) }
            let expected = reference.dataSet[.pixelData]?.value.bytes ?? []
            #expect(Array(expected.prefix(decoded.count)) == decoded)
        }
    }

    @Test("Subsampled (4:2:2) frames are refused by the RLE encoder before any work")
    func subsampled() {
        let geometry = FrameGeometry(
            rows: 4, columns: 4, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8,
            photometricInterpretation: "YBR_FULL_422")
        #expect(geometry.frameLength == 32)
        #expect(throws: CodecError.self) { try FrameCodecs.checkEncodable(geometry, in: RLECodec.transferSyntaxUID) }
    }
}
