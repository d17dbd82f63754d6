import DICOMBinary
import Foundation

/// The shared third-party corpus (`../shared/corpus` beside the repository, or `LANTERN_CORPUS`).
/// Shared by the test targets: where the corpus is and how to compare what was read.
public enum Corpus {
    public static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["LANTERN_CORPUS"] { return URL(fileURLWithPath: env) }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }()

    /// Every corpus file's path, sorted.
    public static let files: [String] = {
        let dir = directory.appendingPathComponent("files")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".dcm") }.sorted().map { dir.appendingPathComponent($0).path }
    }()

    public static func bytes(_ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: path) ?? Data())
    }

    /// Files that are damaged on purpose and must fail to parse, with a clean error.
    public static let expectedFailures: Set<String> = [
        "data__test_files__MR_truncated.dcm",
        "data__test_files__rtplan_truncated.dcm",
        // Starts one byte into an implicit VR data set: the first "element" claims 173 MB.
        "data__test_files__no_meta.dcm",
        // Offsets removed without fixing lengths: items overrun their sequence and the end of the file.
        "data__test_files__dicomdirtests__DICOMDIR-nooffset.dcm",
    ]

    public static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }
}

/// Pads odd-length primitive values the way the writer does, so data sets can be compared across a write.
public func paddedToEven(_ dataSet: DataSet) -> DataSet {
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

/// A short description of the first difference between two parsed files, or `nil` if they are equal.
public func firstDifference(_ a: DICOMFile, _ b: DICOMFile) -> String? {
    if a.transferSyntax != b.transferSyntax { return "transfer syntax \(a.transferSyntax) vs \(b.transferSyntax)" }
    if let d = firstDifference(a.fileMeta, b.fileMeta) { return "file meta: " + d }
    return firstDifference(a.dataSet, b.dataSet)
}

/// A short description of the first difference between two data sets, or `nil` if they are equal.
public func firstDifference(_ a: DataSet, _ b: DataSet) -> String? {
    for (x, y) in zip(a, b) where x != y {
        if x.tag != y.tag { return "tag \(x.tag) vs \(y.tag)" }
        if x.vr != y.vr { return "\(x.tag) VR \(x.vr) vs \(y.vr)" }
        if let i = x.value.items, let j = y.value.items, i.count == j.count {
            for (k, (p, q)) in zip(i, j).enumerated() {
                if let d = firstDifference(p, q) { return "\(x.tag)[\(k)] > " + d }
            }
        }
        return "\(x.tag) value \(String(describing: x.value).prefix(120)) vs \(String(describing: y.value).prefix(120))"
    }
    if a.count != b.count { return "\(a.count) elements vs \(b.count)" }
    return nil
}

/// Where two byte strings (JSON or XML text) first differ, with context, or `nil` if they are equal.
public func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
    guard a != b else { return nil }
    let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    let lo = max(0, i - 80)
    let show = { (x: [UInt8]) in String(decoding: x[min(lo, x.count)..<min(i + 80, x.count)], as: UTF8.self) }
    return "at byte \(i): …\(show(a))… vs …\(show(b))…"
}
