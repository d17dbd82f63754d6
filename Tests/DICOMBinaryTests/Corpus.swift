import DICOMBinary
import Foundation

/// The shared third-party corpus (`../shared/corpus` beside the repository, or `LANTERN_CORPUS`).
enum Corpus {
    static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["LANTERN_CORPUS"] { return URL(fileURLWithPath: env) }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }()

    /// Every corpus file's path, sorted.
    static let files: [String] = {
        let dir = directory.appendingPathComponent("files")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".dcm") }.sorted().map { dir.appendingPathComponent($0).path }
    }()

    static func bytes(_ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: path) ?? Data())
    }

    /// Files that are damaged on purpose and must fail to parse, with a clean error.
    static let expectedFailures: Set<String> = [
        "data__test_files__MR_truncated.dcm",
        "data__test_files__rtplan_truncated.dcm",
    ]

    static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }
}

/// Pads odd-length primitive values the way the writer does, so data sets can be compared across a write.
func paddedToEven(_ dataSet: DataSet) -> DataSet {
    DataSet(
        dataSet.map { element in
            var e = element
            switch element.value {
            case .bytes(let b) where b.count % 2 == 1:
                e.value = .bytes(b + [element.vr.paddingByte])
            case .sequence(let items):
                e.value = .sequence(items.map(paddedToEven))
            case .encapsulated(var pixels):
                pixels.fragments = pixels.fragments.map { $0.count % 2 == 1 ? $0 + [0] : $0 }
                if pixels.basicOffsetTable.count % 2 == 1 { pixels.basicOffsetTable.append(0) }
                e.value = .encapsulated(pixels)
            default: break
            }
            // Values too long for a 16-bit length are written as UN in explicit VR (PS3.5 §6.2.2).
            if case .bytes(let b) = e.value, !e.vr.hasLongExplicitLength, b.count > 0xFFFF { e.vr = .UN }
            return e
        })
}
