import DICOMBinary
import DICOMCore
import Foundation
import LanternTestSupport
import NIOCore
import Testing

@testable import DICOMwebClient

@Suite("Client file I/O: upload bodies and instance headers")
struct FileIOTests {
    @Test("an upload body yields exactly its segments, in chunks no larger than asked, merging small bytes")
    func uploadBody() async throws {
        let path = NSTemporaryDirectory() + "upload-\(UInt64.random(in: 0...UInt64.max)).bin"
        var generator = SplitMix64(seed: 7)
        let content = (0..<300_001).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let body = UploadBody(
            segments: [
                .bytes([1, 2, 3]), .file(path: path, length: 300_001), .bytes([]), .bytes([9]),
                .file(path: path, length: 5),
            ],
            chunkSize: 65_536)
        var out: [UInt8] = []
        var chunks = 0
        for try await buffer in body {
            #expect(buffer.readableBytes <= 65_536 + 3)
            out += buffer.readableBytesView
            chunks += 1
        }
        #expect(out == [1, 2, 3] + content + [9] + content.prefix(5))
        #expect(Int64(out.count) == body.length)
        #expect(chunks == 6)  // 5 chunks of the first file (header merged), 1 of the second (9 merged)
    }

    @Test("a file that shrinks while it is sent fails the body")
    func shrinking() async throws {
        let path = NSTemporaryDirectory() + "short-\(UInt64.random(in: 0...UInt64.max)).bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3])))
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(throws: DICOMwebClientError.self) {
            for try await _ in UploadBody(segments: [.file(path: path, length: 10)]) {}
        }
    }

    @Test("the header read finds the data set's SOP UIDs for every readable corpus instance")
    func corpusHeaders() throws {
        #expect(!Corpus.files.isEmpty)
        var compared = 0
        for path in Corpus.files where !Corpus.expectedFailures.contains(Corpus.name(path)) {
            guard let file = try? DICOMReader.read(contentsOf: path, policy: ReadPolicy(stopAtPixelData: true)),
                let sop = file.dataSet.string(Tag(0x0008_0018)) ?? file.fileMeta.string(Tag(0x0002_0003))
            else { continue }
            let info = InstanceFileInfo.read(path: path)
            guard file.hasPreamble || Corpus.name(path).hasSuffix(".dcm") else { continue }
            #expect(info?.sopInstanceUID == sop, "\(Corpus.name(path))")
            compared += 1
        }
        #expect(compared > 150)
    }

    @Test("files that are not DICOM give no header")
    func notDICOM() throws {
        let path = NSTemporaryDirectory() + "note-\(UInt64.random(in: 0...UInt64.max)).txt"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("just a note\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(InstanceFileInfo.read(path: path) == nil)
        #expect(InstanceFileInfo.read(path: "/nonexistent/file.dcm") == nil)
    }
}
