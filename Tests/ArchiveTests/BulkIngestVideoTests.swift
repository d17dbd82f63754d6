import Archive
import DICOMBinary
import DICOMCore
import DICOMweb
import Testing

private typealias T = DICOMCore.Tag

@Suite("Bulk ingest: video")
struct BulkIngestVideoTests {
    /// An MPEG-2 elementary stream: sequence header and extension, a GOP, `pictures` pictures with a slice each.
    static func mpeg2(width: Int, height: Int, profileAndLevel: UInt8, pictures: Int) -> [UInt8] {
        var s: [UInt8] = [
            0, 0, 1, 0xB3, UInt8(width >> 4), UInt8((width & 0xF) << 4 | height >> 8), UInt8(height & 0xFF),
        ]
        s += [0x13, 0xFF, 0xFF, 0xE0, 0x18]  // aspect 1:1, 25 frames/s, bit rate, marker, VBV
        s += [0, 0, 1, 0xB5, 0x10 | profileAndLevel >> 4, (profileAndLevel & 0xF) << 4 | 0x0A, 0, 0x01, 0, 0]
        s += [0, 0, 1, 0xB8, 0, 0x08, 0, 0x40]
        for n in 0..<pictures {
            s += [0, 0, 1, 0x00, UInt8(n), 0x0F, 0xFF, 0xF8]
            s += [0, 0, 1, 0x01] + [UInt8](repeating: 0x5A, count: 300)
        }
        return s + [0, 0, 1, 0xB7]
    }

    /// An MP4 file with one H.264 video track of `frames` samples of 1001/30000 s.
    static func mp4(width: Int, height: Int, frames: Int, level: UInt8 = 40) -> [UInt8] {
        let box = Fixture.box
        let be32 = Fixture.be32
        let be16 = Fixture.be16
        let tkhd = box(
            "tkhd",
            [0, 0, 0, 3] + [UInt8](repeating: 0, count: 20 + 8 + 8 + 36) + be32(width << 16) + be32(height << 16))
        let mdhd = box(
            "mdhd", [0, 0, 0, 0] + be32(0) + be32(0) + be32(30000) + be32(frames * 1001) + [0x55, 0xC4, 0, 0])
        let hdlr = box(
            "hdlr",
            [0, 0, 0, 0] + be32(0) + Array("vide".utf8) + [UInt8](repeating: 0, count: 12) + Array("Video\0".utf8))
        let avcC = box("avcC", [1, 100, 0, level, 0xFF, 0xE0, 0x00])
        let entryBody =
            [UInt8](repeating: 0, count: 6) + be16(1) + [UInt8](repeating: 0, count: 16) + be16(width)
            + be16(height) + be32(0x48_0000) + be32(0x48_0000) + be32(0) + be16(1) + [UInt8](repeating: 0, count: 32)
            + be16(0x18) + [0xFF, 0xFF] + avcC
        let stsd = box("stsd", [0, 0, 0, 0] + be32(1) + box("avc1", entryBody))
        let stts = box("stts", [0, 0, 0, 0] + be32(1) + be32(frames) + be32(1001))
        let stbl = box("stbl", stsd + stts)
        let minf = box("minf", box("vmhd", [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]) + stbl)
        let moov = box("moov", box("trak", tkhd + box("mdia", mdhd + hdlr + minf)))
        let ftyp = box("ftyp", Array("isom".utf8) + be32(0x200) + Array("isomavc1".utf8))
        // mdat first, as a streaming encoder writes it, so the moov box is found after skipping it.
        return ftyp + box("mdat", [UInt8](repeating: 0x33, count: 1001)) + moov
    }

    @Test("MPEG-2 Main Level: size, frame count and frame time from the stream")
    func mpeg2MainLevel() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let stream = Self.mpeg2(width: 640, height: 480, profileAndLevel: 0x48, pictures: 3)
        let metadata = Fixture.metadata(
            sopClass: "1.2.840.10008.5.1.4.1.1.77.1.4.1", [Fixture.bulk(0x7FE0_0010, .OB, "video")])
        let (built, file) = try scratch.build(metadata, [scratch.part(stream, .mpeg, location: "video")])
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.100")
        let ds = file.dataSet
        #expect(ds.int(T(0x0028_0010)) == 480)
        #expect(ds.int(T(0x0028_0011)) == 640)
        #expect(ds.int(T(0x0028_0008)) == 3)
        #expect(ds.string(T(0x0018_1063)) == "40")
        #expect(ds.int(T(0x0018_0040)) == 25)
        #expect(ds.string(T(0x0028_0004)) == "YBR_PARTIAL_420")
        #expect(ds[T(0x0028_0009)]?.value.bytes == [0x18, 0x00, 0x63, 0x10])
        #expect(Fixture.fragments(file).first.map { Array($0.prefix(stream.count)) } == stream)
        #expect(built.warnings.isEmpty)
    }

    @Test("MPEG-2 High Level by size or level")
    func mpeg2HighLevel() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let stream = Self.mpeg2(width: 1920, height: 1080, profileAndLevel: 0x44, pictures: 1)
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "video")])
        let (_, file) = try scratch.build(metadata, [scratch.part(stream, .mpeg, location: "video")])
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.101")
        #expect(file.dataSet.int(T(0x0028_0010)) == 1080)
    }

    @Test("MP4 H.264: size from tkhd, frames and frame time from stts and mdhd, the whole file as pixel data")
    func mp4AVC() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let movie = Self.mp4(width: 640, height: 360, frames: 10)
        let metadata = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "video")])
        let (_, file) = try scratch.build(metadata, [scratch.part(movie, .mp4, location: "video")])
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.102")
        #expect(file.dataSet.int(T(0x0028_0010)) == 360)
        #expect(file.dataSet.int(T(0x0028_0011)) == 640)
        #expect(file.dataSet.int(T(0x0028_0008)) == 10)
        #expect(file.dataSet.string(T(0x0018_1063)) == "33.367")
        #expect(Fixture.fragments(file).first.map { Array($0.prefix(movie.count)) } == movie)
        let (_, fast) = try scratch.build(
            metadata, [scratch.part(Self.mp4(width: 1920, height: 1080, frames: 2, level: 42), .mp4, location: "video")]
        )
        #expect(fast.transferSyntax.uid == "1.2.840.10008.1.2.4.104")
    }

    @Test("An unreadable video needs Rows and Columns in the metadata")
    func unreadableVideo() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let junk = [UInt8](repeating: 0x11, count: 64)
        let bare = Fixture.metadata([Fixture.bulk(0x7FE0_0010, .OB, "video")])
        let error = #expect(throws: BulkIngestError.self) {
            try scratch.build(bare, [scratch.part(junk, .mp4, location: "video")])
        }
        #expect(error?.code == .missingAttribute)
        let sized = Fixture.metadata([
            Fixture.us(0x0028_0010, 480), Fixture.us(0x0028_0011, 640), Fixture.text(0x0028_0008, .IS, "1"),
            Fixture.bulk(0x7FE0_0010, .OB, "video"),
        ])
        let (built, file) = try scratch.build(sized, [scratch.part(junk, .mp4, location: "video")])
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.102")
        #expect(built.warnings.contains { $0.tag == .pixelData })
    }
}
