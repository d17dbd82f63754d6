import Archive
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import Testing

private typealias T = DICOMCore.Tag

@Suite("Bulk ingest: BulkDataURI resolution, octet-stream values and required attributes")
struct BulkIngestResolutionTests {
    @Test("Absolute and relative forms match by path suffix; ambiguity and absence are errors")
    func uriMatching() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let value: [UInt8] = [1, 2, 3, 4]
        let metadata = Fixture.metadata([
            Fixture.text(0x0009_0010, .LO, "LANTERN TEST"),
            Fixture.bulk(0x0009_1001, .OB, "http://server/dicomweb/studies/1/bulk/a7"),
        ])
        for location in ["/dicomweb/studies/1/bulk/a7", "bulk/a7", "https://other:8080/dicomweb/studies/1/bulk/a7"] {
            let (_, file) = try scratch.build(metadata, [scratch.part(value, .octetStream, location: location)])
            #expect(file.dataSet[T(0x0009_1001)]?.value.bytes == value, "\(location)")
        }
        let relative = Fixture.metadata([Fixture.bulk(0x0009_1001, .OB, "a7")])
        let ambiguous = #expect(throws: BulkIngestError.self) {
            try scratch.build(
                relative,
                [
                    scratch.part(value, .octetStream, location: "x/a7"),
                    scratch.part(value, .octetStream, location: "y/a7"),
                ])
        }
        #expect(ambiguous?.code == .ambiguousBulkDataURI)
        let missing = #expect(throws: BulkIngestError.self) {
            try scratch.build(relative, [scratch.part(value, .octetStream, location: "a8")])
        }
        #expect(missing?.code == .unresolvedBulkDataURI)
        #expect(missing?.tag == T(0x0009_1001))
    }

    @Test("Octet-stream values: odd lengths padded, nested values loaded, unreferenced parts reported")
    func octetStream() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let item = DataSet([Fixture.text(0x0008_0100, .SH, "X"), Fixture.bulk(0x0028_1201, .OW, "lut")])
        let metadata = Fixture.metadata([
            Fixture.text(0x0009_0010, .LO, "LANTERN TEST"), Fixture.bulk(0x0009_1001, .OB, "odd"),
            DataElement(DICOMCore.Tag(0x0040_A730), items: [item]),
        ])
        let parts = [
            scratch.part([9, 8, 7], .octetStream, location: "odd"),
            scratch.part([1, 0, 2, 0], .octetStream, location: "lut"),
            scratch.part([0], .octetStream, location: "spare"),
        ]
        let (built, file) = try scratch.build(metadata, parts)
        #expect(file.dataSet[T(0x0009_1001)]?.value.bytes == [9, 8, 7, 0])
        #expect(file.dataSet[T(0x0040_A730)]?.value.items?.first?[T(0x0028_1201)]?.value.bytes == [1, 0, 2, 0])
        #expect(built.warnings.contains { $0.message.contains("spare") })
    }

    @Test("An image media type for an element other than Pixel Data is refused")
    func imageElsewhere() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let metadata = Fixture.metadata([Fixture.bulk(0x0009_1001, .OB, "x")])
        let error = #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part([0xFF, 0xD8], .jpeg, location: "x")])
        }
        #expect(error?.code == .unsupportedMediaType)
    }

    @Test(
        "The four identifying UIDs are required and never invented",
        arguments: [0x0008_0016, 0x0008_0018, 0x0020_000D, 0x0020_000E] as [UInt32])
    func requiredUIDs(tag: UInt32) throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        var metadata = Fixture.metadata([Fixture.bulk(0x0009_1001, .OB, "x")])
        metadata.remove(DICOMCore.Tag(tag))
        let error = #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part([1, 2], .octetStream, location: "x")])
        }
        #expect(error?.code == .missingAttribute)
        #expect(error?.tag == DICOMCore.Tag(tag))
        #expect(scratch.leftovers.isEmpty, "failed builds leave no scratch file")
    }

    @Test("A part whose file does not hold its stated length is refused")
    func partLengthMismatch() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        var part = scratch.part([1, 2, 3, 4], .octetStream, location: "x")
        part.length = 5
        let error = #expect(throws: BulkIngestError.self) {
            try scratch.build(Fixture.metadata([Fixture.bulk(0x0009_1001, .OB, "x")]), [part])
        }
        #expect(error?.code == .io)
    }

    @Test("Native pixel data shorter than the attributes need is refused")
    func shortNativePixels() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let metadata = Fixture.metadata([
            Fixture.us(0x0028_0010, 4), Fixture.us(0x0028_0011, 4), Fixture.us(0x0028_0100, 16),
            Fixture.bulk(0x7FE0_0010, .OW, "px"),
        ])
        #expect(throws: BulkIngestError.self) {
            try scratch.build(metadata, [scratch.part([UInt8](repeating: 0, count: 31), .octetStream, location: "px")])
        }
    }

    @Test("A 50 MB octet-stream part is copied in chunks and arrives intact")
    func largeNativePixelData() throws {
        let scratch = BulkScratch()
        defer { scratch.remove() }
        let rows = 5000
        let columns = 5000
        let length = rows * columns * 2
        let chunk = 1 << 20
        func pattern(_ start: Int, _ count: Int) -> [UInt8] {
            (start..<(start + count)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        }
        let file = try scratch.space.makeFile()
        var offset = 0
        while offset < length {
            let n = min(chunk, length - offset)
            try pattern(offset, n).withUnsafeBytes { try file.append($0) }
            offset += n
        }
        let part = BulkDataPart(mediaType: .octetStream, contentLocation: "px", file: file, length: UInt64(length))
        let metadata = Fixture.metadata([
            Fixture.us(0x0028_0010, rows), Fixture.us(0x0028_0011, columns), Fixture.us(0x0028_0002, 1),
            Fixture.us(0x0028_0100, 16), Fixture.us(0x0028_0101, 16), Fixture.us(0x0028_0102, 15),
            Fixture.us(0x0028_0103, 0), Fixture.text(0x0028_0004, .CS, "MONOCHROME2"),
            Fixture.bulk(0x7FE0_0010, .OW, "px"),
        ])
        let output = try scratch.output()
        let built = try BulkInstanceBuilder.build(metadata: metadata, parts: [part], output: output)
        guard case .bulk(let reference)? = built.dataSet[.pixelData]?.value else {
            Issue.record("pixel data should be a reference into the output")
            return
        }
        #expect(reference.length == UInt64(length))
        // The header parses, and the pixel data is where the reference says.
        let header = try DICOMReader.read(contentsOf: output.path, policy: ReadPolicy(bulkThreshold: 4096))
        #expect(header.transferSyntax == .explicitVRLittleEndian)
        #expect(header.dataSet.int(T(0x0028_0010)) == rows)
        if case .bulk(let read)? = header.dataSet[.pixelData]?.value {
            #expect(read.offset == reference.offset)
        }
        let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: output.path))
        defer { try? reader.close() }
        try reader.seek(toOffset: reference.offset)
        var checked = 0
        while checked < length {
            let n = min(chunk, length - checked)
            let data = try reader.read(upToCount: n) ?? Data()
            guard Array(data) == pattern(checked, n) else {
                Issue.record("the pixel data differs in the chunk at \(checked)")
                return
            }
            checked += n
        }
        #expect(
            built.fileSize == UInt64(try FileManager.default.attributesOfItem(atPath: output.path)[.size] as! Int))
    }
}
