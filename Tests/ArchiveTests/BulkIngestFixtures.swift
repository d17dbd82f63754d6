import Archive
import ArchiveFileSystem
import CZlib
import DICOMBinary
import DICOMCore
import DICOMweb
import Foundation
import LanternTestSupport

/// A scratch directory for one test, with helpers to write parts and build instances.
struct BulkScratch {
    let directory: String
    let space: FolderScratchSpace

    init() {
        directory = NSTemporaryDirectory() + "lantern-bulk-" + UUID().uuidString
        space = try! FolderScratchSpace(folder: directory)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes `bytes` as a part.
    func part(_ bytes: [UInt8], _ mediaType: MediaType, location: String?) -> BulkDataPart {
        let file = try! space.makeFile()
        try! bytes.withUnsafeBytes { try file.append($0) }
        return BulkDataPart(mediaType: mediaType, contentLocation: location, file: file, length: UInt64(bytes.count))
    }

    /// The scratch files still there (released files are removed).
    var leftovers: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0 != "lantern.lock" }
    }

    /// A new, empty output file.
    func output() throws -> FolderScratchFile { try space.makeFile() as! FolderScratchFile }

    /// Builds and reads the output back.
    func build(_ metadata: DataSet, _ parts: [BulkDataPart]) throws -> (BuiltInstance, DICOMFile) {
        let output = try output()
        let built = try BulkInstanceBuilder.build(metadata: metadata, parts: parts, output: output)
        return (built, try DICOMReader.read(contentsOf: output.path))
    }
}

enum Fixture {
    static let study = "1.2.826.0.1.3680043.8.498.1"
    static let series = "1.2.826.0.1.3680043.8.498.2"
    static let instance = "1.2.826.0.1.3680043.8.498.3"
    static let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"

    static func text(_ tag: UInt32, _ vr: VR, _ value: String) -> DataElement {
        DataElement(DICOMCore.Tag(tag), vr, bytes: Array(value.utf8))
    }

    static func us(_ tag: UInt32, _ value: Int) -> DataElement {
        DataElement(DICOMCore.Tag(tag), .US, bytes: [UInt8(value & 0xFF), UInt8(value >> 8)])
    }

    static func bulk(_ tag: UInt32, _ vr: VR, _ uri: String) -> DataElement {
        DataElement(tag: DICOMCore.Tag(tag), vr: vr, value: .bulk(BulkDataReference(uri: uri)))
    }

    /// Metadata with the four required UIDs (SOP class optional) and `extra` elements.
    static func metadata(sopClass: String? = secondaryCapture, _ extra: [DataElement]) -> DataSet {
        var elements = [
            text(0x0008_0018, .UI, instance), text(0x0020_000D, .UI, study), text(0x0020_000E, .UI, series),
            text(0x0008_0060, .CS, "OT"),
        ]
        if let sopClass { elements.append(text(0x0008_0016, .UI, sopClass)) }
        return DataSet(elements + extra)
    }

    /// The concatenated fragments of a corpus file's encapsulated pixel data (its first frame).
    static func corpusFrame(_ name: String) throws -> [UInt8] {
        let path = Corpus.directory.appendingPathComponent("files/" + name).path
        let file = try DICOMReader.read(contentsOf: path)
        guard case .encapsulated(let pixels)? = file.dataSet[.pixelData]?.value else { return [] }
        return pixels.fragments.first ?? []
    }

    /// The pixel data fragments of a read-back file.
    static func fragments(_ file: DICOMFile) -> [[UInt8]] {
        guard case .encapsulated(let pixels)? = file.dataSet[.pixelData]?.value else { return [] }
        return pixels.fragments
    }

    static func be32(_ v: Int) -> [UInt8] {
        [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// An ISO BMFF box.
    static func box(_ type: String, _ body: [UInt8]) -> [UInt8] { be32(body.count + 8) + Array(type.utf8) + body }

    /// A PNG file with the given rows (unfiltered sample bytes, big-endian for 16-bit), filtered with filter
    /// types cycling 0…4, compressed with stored deflate blocks (a valid zlib stream, written by hand).
    static func png(
        width: Int, height: Int, bitDepth: Int, colorType: Int, rows: [[UInt8]], interlace: UInt8 = 0,
        zlibCompressed: Bool = false
    )
        -> [UInt8]
    {
        let channels = [0: 1, 2: 3, 4: 2, 6: 4][colorType]!
        let bpp = channels * bitDepth / 8
        var raw: [UInt8] = []
        var previous = [UInt8](repeating: 0, count: rows[0].count)
        for (y, row) in rows.enumerated() {
            let filter = y % 5
            raw.append(UInt8(filter))
            for i in 0..<row.count {
                let a = i >= bpp ? Int(row[i - bpp]) : 0
                let b = Int(previous[i])
                let c = i >= bpp ? Int(previous[i - bpp]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: predictor = 0
                }
                raw.append(row[i] &- UInt8(predictor))
            }
            previous = row
        }
        // zlib: header, stored blocks of at most 7 bytes (to exercise chunking), Adler-32.
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        while i < raw.count {
            let n = min(7, raw.count - i)
            z.append(i + n == raw.count ? 1 : 0)
            z += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += raw[i..<(i + n)]
            i += n
        }
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        z += be32(Int(b << 16 | a))
        if zlibCompressed {
            var bound = compressBound(uLong(raw.count))
            var compressed = [UInt8](repeating: 0, count: Int(bound))
            _ = compress2(&compressed, &bound, raw, uLong(raw.count), 9)
            z = Array(compressed[..<Int(bound)])
        }
        let ihdr = be32(width) + be32(height) + [UInt8(bitDepth), UInt8(colorType), 0, 0, interlace]
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            be32(data.count) + Array(type.utf8) + data + [0, 0, 0, 0]
        }
        // Two IDAT chunks, to exercise the chunk walk.
        let half = z.count / 2
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", Array(z[..<half]))
            + chunk("tEXt", Array("Comment\0x".utf8)) + chunk("IDAT", Array(z[half...])) + chunk("IEND", [])
    }
}
