import DICOMBinary
import DICOMCore
import Foundation
import LanternTestSupport
import Testing

@testable import DICOMImaging

@Suite("Library codecs: JPEG, JPEG-LS, JPEG 2000 (PS3.5 §8.2)")
struct LibraryCodecTests {
    static let lossless = [
        JPEGCodec.lossless, JPEGCodec.losslessSV1, JPEGLSCodec.lossless, JPEG2000Codec.lossless,
        JPEG2000Codec.htLossless, JPEG2000Codec.htLosslessRPCL,
    ]

    /// A frame with structure and noise: a gradient plus a deterministic pseudo-random term, every value in
    /// range for the geometry (signed values sign-extended in their container).
    static func frame(_ geometry: FrameGeometry) -> [UInt8] {
        var out: [UInt8] = []
        var seed: UInt32 = 12345
        let range = 1 << geometry.bitsStored
        for i in 0..<(geometry.pixels * geometry.samplesPerPixel) {
            seed = seed &* 1_103_515_245 &+ 12345
            var value = (i * 7 + Int(seed >> 16) % 64) % range
            if geometry.pixelRepresentation == 1 { value -= range / 2 }
            out.append(UInt8(truncatingIfNeeded: value))
            if geometry.bytesPerSample == 2 { out.append(UInt8(truncatingIfNeeded: value >> 8)) }
        }
        return geometry.planarConfiguration == 1 ? SampleLayout.planar(out, geometry) : out
    }

    static let geometries = [
        FrameGeometry(
            rows: 37, columns: 53, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1),
        FrameGeometry(rows: 16, columns: 16, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16),
        FrameGeometry(rows: 20, columns: 31, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8),
        FrameGeometry(
            rows: 24, columns: 17, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, planarConfiguration: 1,
            photometricInterpretation: "RGB"),
    ]

    @Test("Lossless codecs round-trip every sample", arguments: lossless, geometries)
    func losslessRoundTrip(syntax: String, geometry: FrameGeometry) throws {
        let native = Self.frame(geometry)
        let encoded = try FrameCodecs.encode(native, transferSyntaxUID: syntax, geometry: geometry)
        #expect(encoded.count > 0)
        let output = FrameCodecs.encodedGeometry(geometry, in: syntax)
        let decoded = try FrameCodecs.decode(encoded, transferSyntaxUID: syntax, geometry: output)
        // The encoded data set says Planar Configuration 0: compare with the interleaved original.
        let expected = geometry.planarConfiguration == 1 ? SampleLayout.interleaved(native, geometry) : native
        #expect(decoded == expected)
    }

    @Test("Near-lossless JPEG-LS keeps every sample within NEAR; signed samples are refused")
    func nearLossless() throws {
        #expect(throws: CodecError.self) {
            try FrameCodecs.checkEncodable(Self.geometries[0], in: JPEGLSCodec.nearLossless)
        }
        var geometry = Self.geometries[0]
        geometry.pixelRepresentation = 0
        let native = Self.frame(geometry)
        let encoded = try FrameCodecs.encode(native, transferSyntaxUID: JPEGLSCodec.nearLossless, geometry: geometry)
        let decoded = try FrameCodecs.decode(encoded, transferSyntaxUID: JPEGLSCodec.nearLossless, geometry: geometry)
        for i in stride(from: 0, to: native.count, by: 2) {
            let a = Int(UInt16(native[i]) | UInt16(native[i + 1]) << 8)
            let b = Int(UInt16(decoded[i]) | UInt16(decoded[i + 1]) << 8)
            #expect(abs(a - b) <= Int(JPEGLSCodec.near))
        }
    }

    @Test("Lossy JPEG converts RGB to YBR_FULL and stays close", arguments: [JPEGCodec.baseline, JPEGCodec.extended])
    func lossyJPEG(syntax: String) throws {
        let geometry = Self.geometries[3]
        let native = Self.frame(geometry)
        let encoded = try FrameCodecs.encode(native, transferSyntaxUID: syntax, geometry: geometry)
        let output = FrameCodecs.encodedGeometry(geometry, in: syntax)
        #expect(output.photometricInterpretation == "YBR_FULL" && output.planarConfiguration == 0)
        #expect(FrameCodecs.decodedGeometry(output, from: syntax).photometricInterpretation == "RGB")
        let decoded = try FrameCodecs.decode(encoded, transferSyntaxUID: syntax, geometry: output)
        let expected = SampleLayout.interleaved(native, geometry)
        let error = zip(decoded, expected).map { abs(Int($0) - Int($1)) }.reduce(0, +)
        #expect(Double(error) / Double(expected.count) < 8)
    }

    @Test("Lossy JPEG of 10-bit samples decodes within 10 bits (overshoot clamped, not wrapped)")
    func clamped() throws {
        // A hard edge from 0 to the 10-bit maximum rings in the DCT: decoded values would exceed 1023.
        var geometry = FrameGeometry(rows: 16, columns: 16, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 10)
        geometry.photometricInterpretation = "MONOCHROME2"
        var native: [UInt8] = []
        for i in 0..<256 {
            let value: UInt16 = (i % 16) < 8 ? 0 : 1023
            native += [UInt8(value & 0xFF), UInt8(value >> 8)]
        }
        let encoded = try FrameCodecs.encode(native, transferSyntaxUID: JPEGCodec.extended, geometry: geometry)
        let decoded = try FrameCodecs.decode(encoded, transferSyntaxUID: JPEGCodec.extended, geometry: geometry)
        for i in stride(from: 0, to: decoded.count, by: 2) {
            #expect(Int(decoded[i]) | Int(decoded[i + 1]) << 8 <= 1023)
        }
    }

    @Test("Truncated codestreams are errors, never partial frames", arguments: lossless + [JPEGCodec.baseline])
    func truncated(syntax: String) throws {
        let geometry =
            syntax == JPEGCodec.baseline
            ? Self.geometries[2] : Self.geometries[0]
        let encoded = try FrameCodecs.encode(Self.frame(geometry), transferSyntaxUID: syntax, geometry: geometry)
        for length in [0, 2, encoded.count / 3, encoded.count / 2, encoded.count - 40] {
            #expect(throws: CodecError.self) {
                try FrameCodecs.decode(Array(encoded.prefix(length)), transferSyntaxUID: syntax, geometry: geometry)
            }
        }
    }

    @Test("A codestream that does not match the attributes is refused", arguments: lossless)
    func mismatch(syntax: String) throws {
        let geometry = Self.geometries[0]
        let encoded = try FrameCodecs.encode(Self.frame(geometry), transferSyntaxUID: syntax, geometry: geometry)
        var other = geometry
        other.rows += 1
        let error = #expect(throws: CodecError.self) {
            try FrameCodecs.decode(encoded, transferSyntaxUID: syntax, geometry: other)
        }
        #expect(error?.code == .corruptData)
    }

    /// A fuzzer input (a 2,097,408 × 1,024 image claimed for a 1,024 × 256 frame) that once made OpenJPEG
    /// allocate gigabytes before the sizes were compared.
    static let oversizedCodestream = Array(
        Data(
            base64Encoded:
                "/0//UQApAAAAIAEAAAAEAAAAAAAAAAAAAAABAAAABAAAAAAAAAAAAAABjwEB/1IADAAAAAEABQQEAAD/XAAjIncedwB3AHbibwBvAG7iZ0xnTGdkUANQA1BFV9JX0ldh/2QADgABS2FrYWR1LTIuMv+QAAoAAAAAAIgAAf+TwA+NuE7q0eUtNtI51QKfgZYiWhrSYNuRcLXg+pAjRxUF+k0U7N+NVW4/FH8zMA768BxwFrNgCyIS7AHAA6xAA6TAA4J7SmmZqgXTLwdGXEUs7oZMfzAuRSQ997+IESztaCzqCJyIGsACaADhAJSrA1TZ08aoOV+AgID/2Q=="
        )!)

    @Test("A JPEG 2000 size or tiling larger than the attributes is refused before anything is decoded")
    func oversizedJPEG2000() throws {
        let claimed = FrameGeometry(
            rows: 1024, columns: 256, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1)
        let error = #expect(throws: CodecError.self) {
            try FrameCodecs.decode(Self.oversizedCodestream, transferSyntaxUID: JPEG2000Codec.lossy, geometry: claimed)
        }
        #expect(error?.code == .corruptData)
        // One-pixel tiles: a valid codestream for the size, but thousands of tiles for a 37 × 53 frame.
        let geometry = Self.geometries[0]
        var encoded = try FrameCodecs.encode(
            Self.frame(geometry), transferSyntaxUID: JPEG2000Codec.lossless, geometry: geometry)
        encoded.replaceSubrange(24..<32, with: [0, 0, 0, 1, 0, 0, 0, 1])  // XTsiz, YTsiz
        #expect(throws: CodecError.self) {
            try FrameCodecs.decode(encoded, transferSyntaxUID: JPEG2000Codec.lossless, geometry: geometry)
        }
    }

    @Test("Lossy encodings mark the data set; geometries the codecs cannot hold are refused")
    func feasibility() {
        #expect(FrameCodecs.lossyMethod(JPEGCodec.baseline) == "ISO_10918_1")
        #expect(FrameCodecs.lossyMethod(JPEG2000Codec.lossless) == nil)
        #expect(throws: CodecError.self) {
            try FrameCodecs.checkEncodable(Self.geometries[0], in: JPEGCodec.baseline)  // signed 12-bit
        }
        var palette = Self.geometries[2]
        palette.photometricInterpretation = "PALETTE COLOR"
        #expect(throws: CodecError.self) { try FrameCodecs.checkEncodable(palette, in: JPEG2000Codec.lossy) }
        let float = FrameGeometry(rows: 4, columns: 4, samplesPerPixel: 1, bitsAllocated: 32, bitsStored: 32)
        #expect(throws: CodecError.self) { try FrameCodecs.checkEncodable(float, in: JPEGLSCodec.lossless) }
        #expect(
            FrameCodecs.encodable.first == FrameCodecs.encodable.first(where: { FrameCodecs.lossyMethod($0) == nil }))
    }

    @Test("A JPEG Baseline instance transcodes to native with RGB and the lossy marks kept")
    func streamRewritesPhotometric() throws {
        let file = try DICOMReader.read(
            contentsOf: Corpus.directory.appendingPathComponent("files/data__test_files__SC_rgb_jpeg_dcmtk.dcm").path)
        #expect(file.dataSet.string(Tag(0x0028_0004)) == "YBR_FULL")
        var parser = StreamParser()
        parser.append(try DICOMWriter.part10(file.dataSet, fileMeta: file.fileMeta))
        parser.finish()
        var decoding = PixelDataDecodingStream(sourceTransferSyntaxUID: JPEGCodec.baseline)
        var builder = DataSetBuilder()
        while let event = try parser.next() {
            for out in try decoding.consume(event) { builder.consume(out) }
        }
        let decoded = builder.dataSet
        #expect(decoded.string(Tag(0x0028_0004)) == "RGB")
        #expect(decoded[.pixelData]?.value.bytes?.count == 100 * 100 * 3)
    }
}
