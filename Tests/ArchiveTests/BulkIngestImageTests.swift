import Archive
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import Testing

private typealias T = DICOMCore.Tag

@Suite("Bulk ingest: still images")
struct BulkIngestImageTests {
    @Test("A baseline JPEG becomes JPEG Baseline with the pixel module filled in")
    func baselineJPEG() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let jpeg = try Fixture.corpusFrame("data__test_files__SC_rgb_jpeg_dcmtk.dcm")
        #expect(jpeg.starts(with: [0xFF, 0xD8]))
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "http://host/studies/1/bulk/px")])
        let (built, file) = try scratch.build(
            metadata, [scratch.part(jpeg, .jpeg, location: "http://host/studies/1/bulk/px")])
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.50")
        #expect(built.transferSyntax == file.transferSyntax)
        let ds = file.dataSet
        #expect(ds.int(T(0x0028_0010)) == 100)
        #expect(ds.int(T(0x0028_0011)) == 100)
        #expect(ds.int(T(0x0028_0002)) == 3)
        #expect(ds.int(T(0x0028_0100)) == 8)
        #expect(ds.int(T(0x0028_0101)) == 8)
        #expect(ds.int(T(0x0028_0102)) == 7)
        #expect(ds.int(T(0x0028_0103)) == 0)
        #expect(ds.int(T(0x0028_0006)) == 0)
        #expect(["YBR_FULL_422", "YBR_FULL"].contains(ds.string(T(0x0028_0004)) ?? ""))
        #expect(ds.string(T(0x0008_0018)) == Fixture.instance)
        #expect(file.fileMeta.string(T(0x0002_0003)) == Fixture.instance)
        let fragments = Fixture.fragments(file)
        #expect(fragments.count == 1)
        #expect(fragments.first.map { Array($0.prefix(jpeg.count)) } == jpeg)
        #expect(fragments.first.map { $0.count % 2 } == 0)
        if case .bulk(let reference)? = built.dataSet[.pixelData]?.value {
            #expect(reference.offset > 132)
        } else {
            Issue.record("the built data set should reference the pixel data")
        }
    }

    @Test(
        "JPEG processes map to their transfer syntaxes",
        arguments: [
            ("data__test_files__JPEG-lossy.dcm", "1.2.840.10008.1.2.4.51", 1024, 256, 12, "MONOCHROME2"),
            ("data__test_files__SC_rgb_jpeg_gdcm.dcm", "1.2.840.10008.1.2.4.70", 100, 100, 8, "RGB"),
        ])
    func jpegProcesses(name: String, uid: String, rows: Int, columns: Int, bits: Int, photometric: String) throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let jpeg = try Fixture.corpusFrame(name)
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "px")])
        let (built, file) = try scratch.build(metadata, [scratch.part(jpeg, .jpeg, location: "px")])
        #expect(file.transferSyntax.uid == uid)
        #expect(file.dataSet.int(T(0x0028_0010)) == rows)
        #expect(file.dataSet.int(T(0x0028_0011)) == columns)
        #expect(file.dataSet.int(T(0x0028_0101)) == bits)
        #expect(file.dataSet.int(T(0x0028_0100)) == (bits > 8 ? 16 : 8))
        #expect(file.dataSet.string(T(0x0028_0004)) == photometric)
        #expect(built.warnings.isEmpty)
    }

    @Test("Values contradicting the JPEG are corrected with a warning; consistent ones are kept")
    func corrections() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let jpeg = try Fixture.corpusFrame("data__test_files__SC_rgb_jpeg_dcmtk.dcm")
        let metadata = Fixture.metadata([
            Fixture.us(0x0028_0010, 5), Fixture.us(0x0028_0011, 100),
            Fixture.text(0x0028_0004, .CS, "RGB"), Fixture.text(0x0028_0008, .IS, "3"),
            Fixture.bulk(0x7FE0_0010, .OB, "px"),
        ])
        let (built, file) = try scratch.build(metadata, [scratch.part(jpeg, .jpeg, location: "px")])
        #expect(file.dataSet.int(T(0x0028_0010)) == 100)
        #expect(file.dataSet.string(T(0x0028_0004)) == "RGB")
        #expect(file.dataSet.int(T(0x0028_0008)) == 1)
        #expect(built.warnings.contains { $0.tag == T(0x0028_0010) })
        #expect(built.warnings.contains { $0.tag == T(0x0028_0008) })
        #expect(!built.warnings.contains { $0.tag == T(0x0028_0011) })
    }

    @Test("Several parts with one Content-Location are the frames of a multi-frame image")
    func multiFrameJPEG() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let jpeg = try Fixture.corpusFrame("data__test_files__SC_rgb_jpeg_dcmtk.dcm")
        let metadata = Fixture.metadata(
            sopClass: "1.2.840.10008.5.1.4.1.1.7.4", [Fixture.bulk(0x7FE0_0010, .OB, "frames")])
        let parts = [scratch.part(jpeg, .jpeg, location: "frames"), scratch.part(jpeg, .jpeg, location: "frames")]
        let (_, file) = try scratch.build(metadata, parts)
        #expect(file.dataSet.int(T(0x0028_0008)) == 2)
        #expect(Fixture.fragments(file).count == 2)
    }

    @Test("A transfer-syntax parameter may choose a compatible syntax, not an incompatible one")
    func requestedTransferSyntax() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let jpeg = try Fixture.corpusFrame("data__test_files__SC_rgb_jpeg_dcmtk.dcm")
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "px")])
        let extended = MediaType.jpeg.setting(parameter: "transfer-syntax", to: "1.2.840.10008.1.2.4.51")
        let (_, file) = try scratch.build(metadata, [scratch.part(jpeg, extended, location: "px")])
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.51")
        let wrong = MediaType.jpeg.setting(parameter: "transfer-syntax", to: "1.2.840.10008.1.2.4.90")
        #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part(jpeg, wrong, location: "px")])
        }
    }

    @Test("J2K codestreams: reversible → .90, irreversible → .91, .91 on request")
    func jpeg2000Codestreams() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let lossless = try Fixture.corpusFrame("data__test_files__MR_small_jp2klossless.dcm")
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "px")])
        let (_, a) = try scratch.build(metadata, [scratch.part(lossless, .jp2, location: "px")])
        #expect(a.transferSyntax.uid == "1.2.840.10008.1.2.4.90")
        #expect(a.dataSet.int(T(0x0028_0010)) == 64)
        #expect(a.dataSet.int(T(0x0028_0100)) == 16)
        #expect(a.dataSet.string(T(0x0028_0004)) == "MONOCHROME2")
        let lossy = try Fixture.corpusFrame("data__test_files__JPEG2000.dcm")
        let (_, b) = try scratch.build(metadata, [scratch.part(lossy, .jp2, location: "px")])
        #expect(b.transferSyntax.uid == "1.2.840.10008.1.2.4.91")
        #expect(b.dataSet.int(T(0x0028_0010)) == 1024)
        #expect(b.dataSet.int(T(0x0028_0011)) == 256)
        // A reversible stream truncated to lossy (as this one is) is labelled .91 only when the part asks.
        let truncated = try Fixture.corpusFrame("data__test_files__693_J2KI.dcm")
        let asked = MediaType.jp2.setting(parameter: "transfer-syntax", to: "1.2.840.10008.1.2.4.91")
        let (_, c) = try scratch.build(metadata, [scratch.part(truncated, asked, location: "px")])
        #expect(c.transferSyntax.uid == "1.2.840.10008.1.2.4.91")
        #expect(c.dataSet.int(T(0x0028_0010)) == 512)
    }

    @Test("A JP2 file is unwrapped to its codestream; image/jphc gives HTJ2K")
    func jp2Wrapper() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let codestream = try Fixture.corpusFrame("data__test_files__MR_small_jp2klossless.dcm")
        let ftyp = Fixture.box("ftyp", Array("jp2 ".utf8) + [0, 0, 0, 0] + Array("jp2 ".utf8))
        let jp2h = Fixture.box("jp2h", Fixture.box("ihdr", [UInt8](repeating: 0, count: 14)))
        let file =
            [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A] + ftyp + jp2h
            + Fixture.box("jp2c", codestream)
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "px")])
        let (_, a) = try scratch.build(metadata, [scratch.part(file, .jp2, location: "px")])
        #expect(a.transferSyntax.uid == "1.2.840.10008.1.2.4.90")
        #expect(Fixture.fragments(a).first.map { Array($0.prefix(codestream.count)) } == codestream)
        let (_, b) = try scratch.build(metadata, [scratch.part(file, .jphc, location: "px")])
        #expect(b.transferSyntax.uid == "1.2.840.10008.1.2.4.201")
    }

    @Test("A CAP marker announcing the HT block coder makes an image/jp2 codestream HTJ2K")
    func capMarker() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let codestream = try Fixture.corpusFrame("data__test_files__MR_small_jp2klossless.dcm")
        let sizEnd = 4 + Int(codestream[4]) << 8 + Int(codestream[5])  // SOC, SIZ marker, SIZ segment
        let cap: [UInt8] = [0xFF, 0x50, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00]
        let ht = Array(codestream[..<sizEnd]) + cap + Array(codestream[sizEnd...])
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "px")])
        let (_, file) = try scratch.build(metadata, [scratch.part(ht, .jp2, location: "px")])
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.201")
    }

    @Test("PNG greyscale and RGB, 8 and 16 bits, every filter type, decode to native pixels")
    func pngDecoding() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OW, "px")])
        // 8-bit grey, 7×6 (odd length: padded), rows using all five filters.
        var grey: [[UInt8]] = []
        for y in 0..<6 { grey.append((0..<7).map { (x: Int) -> UInt8 in UInt8((x * 37 + y * 11) & 0xFF) }) }
        let greyPNG = Fixture.png(width: 7, height: 6, bitDepth: 8, colorType: 0, rows: grey)
        let (_, a) = try scratch.build(metadata, [scratch.part(greyPNG, .png, location: "px")])
        #expect(a.transferSyntax == TransferSyntax.explicitVRLittleEndian)
        let greyPixels: [UInt8] = a.dataSet[DICOMCore.Tag.pixelData]?.value.bytes ?? []
        #expect(Array(greyPixels.prefix(42)) == grey.flatMap { $0 })
        #expect(greyPixels.count == 42)
        #expect(a.dataSet.string(T(0x0028_0004)) == "MONOCHROME2")
        #expect(a.dataSet.int(T(0x0028_0011)) == 7)
        // 16-bit RGB: big-endian in PNG, little-endian in DICOM.
        var values: [[UInt16]] = []
        for y in 0..<3 { values.append((0..<12).map { (x: Int) -> UInt16 in UInt16(x * 4000 + y * 7 + 1) }) }
        let rgb16: [[UInt8]] = values.map { row in
            row.flatMap { (v: UInt16) -> [UInt8] in [UInt8(v >> 8), UInt8(v & 0xFF)] }
        }
        let rgbPNG = Fixture.png(width: 4, height: 3, bitDepth: 16, colorType: 2, rows: rgb16)
        let (_, b) = try scratch.build(metadata, [scratch.part(rgbPNG, .png, location: "px")])
        let littleEndian: [UInt8] = values.flatMap { $0 }.flatMap { (v: UInt16) -> [UInt8] in
            [UInt8(v & 0xFF), UInt8(v >> 8)]
        }
        #expect(b.dataSet[DICOMCore.Tag.pixelData]?.value.bytes == littleEndian)
        #expect(b.dataSet.string(T(0x0028_0004)) == "RGB")
        #expect(b.dataSet.int(T(0x0028_0100)) == 16)
        #expect(b.dataSet.int(T(0x0028_0002)) == 3)
        #expect(b.dataSet.int(T(0x0028_0006)) == 0)
        // Opaque RGBA: alpha dropped.
        var rgba: [[UInt8]] = []
        for y in 0..<2 { rgba.append((0..<3).flatMap { (x: Int) -> [UInt8] in [UInt8(x), UInt8(y), 9, 0xFF] }) }
        let rgbaPNG = Fixture.png(width: 3, height: 2, bitDepth: 8, colorType: 6, rows: rgba)
        let (_, c) = try scratch.build(metadata, [scratch.part(rgbaPNG, .png, location: "px")])
        let expected: [UInt8] = [0, 0, 9, 1, 0, 9, 2, 0, 9, 0, 1, 9, 1, 1, 9, 2, 1, 9]
        #expect(c.dataSet[DICOMCore.Tag.pixelData]?.value.bytes == expected)
    }

    @Test("A zlib-compressed PNG inflating to several output buffers decodes completely")
    func compressedPNG() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OW, "px")])
        var rows: [[UInt8]] = []
        for y in 0..<300 { rows.append((0..<600).map { (x: Int) -> UInt8 in x == y ? 0xFF : 0x10 }) }
        let png = Fixture.png(width: 100, height: 300, bitDepth: 16, colorType: 2, rows: rows, zlibCompressed: true)
        #expect(png.count < 20_000)
        let (_, file) = try scratch.build(metadata, [scratch.part(png, .png, location: "px")])
        let pixels: [UInt8] = file.dataSet[DICOMCore.Tag.pixelData]?.value.bytes ?? []
        let bigEndian = rows.flatMap { $0 }
        var expected = bigEndian
        for i in stride(from: 0, to: expected.count, by: 2) { expected.swapAt(i, i + 1) }
        #expect(pixels.count == 180_000)
        #expect(pixels == expected)
    }

    @Test("Interlaced and transparent PNGs are refused")
    func pngRefusals() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OW, "px")])
        let rows = [[UInt8](repeating: 1, count: 2), [UInt8](repeating: 2, count: 2)]
        let interlaced = Fixture.png(width: 2, height: 2, bitDepth: 8, colorType: 0, rows: rows, interlace: 1)
        let error = #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part(interlaced, .png, location: "px")])
        }
        #expect(error?.message.contains("interlaced") == true)
        let transparent: [[UInt8]] = [[5, 0x80, 6, 0xFF], [7, 0xFF, 8, 0xFF]]
        let transparentPNG = Fixture.png(width: 2, height: 2, bitDepth: 8, colorType: 4, rows: transparent)
        #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part(transparentPNG, .png, location: "px")])
        }
        #expect(scratch.leftovers.isEmpty, "failed builds leave no scratch file")
    }
}
