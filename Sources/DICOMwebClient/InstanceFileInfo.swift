import DICOMBinary
import DICOMCore
import DICOMDictionary
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The identity of a DICOM file, read from its header without reading the pixel data: the UIDs a client
/// needs to match a STOW-RS response to the file and to name retrieved files.
public struct InstanceFileInfo: Sendable, Hashable {
    /// SOP Instance UID.
    public var sopInstanceUID: String
    /// SOP Class UID, when present.
    public var sopClassUID: String?
    /// Study Instance UID, when read (only a full header read finds it).
    public var studyUID: String?
    /// Series Instance UID, when read.
    public var seriesUID: String?

    /// Reads the UIDs from the first 64 KiB of `path`, parsing only until SOP Instance UID (0008,0018): the
    /// data set's own UIDs, which are what a STOW-RS response reports (PS3.18 §10.5.3), even when the file
    /// meta (0002,0003) disagrees. Files whose header goes on longer are parsed up to their Pixel Data.
    /// Files without a preamble are tried when they look like a data set or are named `.dcm`. Returns `nil`
    /// when the file is not DICOM.
    public static func read(path: String) -> InstanceFileInfo? {
        inspect(path: path).info
    }

    /// What ``read(path:)`` finds, and the file's whole content when it is shorter than the 64 KiB read
    /// for its header (so a small file is read once, not again when it is sent).
    public static func inspect(path: String) -> (info: InstanceFileInfo?, content: [UInt8]?) {
        let limit = 64 << 10
        guard let head = Self.head(path, count: limit) else { return (nil, nil) }
        let content = head.count < limit ? head : nil
        guard plausiblyDICOM(head) || ["dcm", "dicom"].contains(WrappedFileKind.fileExtension(path)) else {
            return (nil, content)
        }
        if let info = fromHead(head, complete: head.count < limit) { return (info, content) }
        return (fromHeader(path: path), content)
    }

    /// The UIDs from the top level of a stream's first bytes; `nil` when they are not all there.
    static func fromHead(_ head: [UInt8], complete: Bool) -> InstanceFileInfo? {
        var parser = StreamParser()
        parser.append(head[...])
        if complete { parser.finish() }
        var depth = 0
        var values: [UInt32: String] = [:]
        do {
            while let event = try parser.next() {
                switch event {
                case .sequenceStart, .encapsulatedStart: depth += 1
                case .sequenceEnd, .encapsulatedEnd: depth -= 1
                case .element(let header, let bytes) where depth == 0:
                    let tag = header.tag.rawValue
                    if tag > 0x0008_0018 { return info(values) }
                    if [0x0002_0002, 0x0002_0003, 0x0008_0016, 0x0008_0018].contains(tag) {
                        var value = bytes[...]
                        while let last = value.last, last == 0 || last == 0x20 { value.removeLast() }
                        values[tag] = String(decoding: value, as: UTF8.self)
                    }
                case .elementStart(let header) where depth == 0 && header.tag.rawValue > 0x0008_0018:
                    return info(values)
                case .end: return info(values)
                default: break
                }
            }
        } catch {
            return complete ? nil : info(values)
        }
        return nil
    }

    private static func info(_ values: [UInt32: String]) -> InstanceFileInfo? {
        guard let sop = values[0x0008_0018] ?? values[0x0002_0003], !sop.isEmpty else { return nil }
        return InstanceFileInfo(sopInstanceUID: sop, sopClassUID: values[0x0008_0016] ?? values[0x0002_0002])
    }

    /// Reads the header up to Pixel Data and takes the UIDs from the data set (or its meta).
    public static func fromHeader(path: String) -> InstanceFileInfo? {
        guard
            let file = try? DICOMReader.read(
                contentsOf: path, policy: ReadPolicy(bulkThreshold: 4096, stopAtPixelData: true))
        else { return nil }
        let set = file.dataSet
        guard let sop = set.string(Tag.sopInstanceUID) ?? file.fileMeta.string(Tag.mediaStorageSOPInstanceUID) else {
            return nil
        }
        return InstanceFileInfo(
            sopInstanceUID: sop,
            sopClassUID: set.string(Tag.sopClassUID) ?? file.fileMeta.string(Tag.mediaStorageSOPClassUID),
            studyUID: set.string(Tag.studyInstanceUID), seriesUID: set.string(Tag.seriesInstanceUID))
    }

    /// A Part 10 file has `DICM` after its preamble; a bare data set usually starts with a group 0002 or 0008
    /// element (PS3.10 §7.1).
    static func plausiblyDICOM(_ head: [UInt8]) -> Bool {
        if head.count >= 132, head[128..<132].elementsEqual("DICM".utf8) { return true }
        guard head.count >= 8 else { return false }
        let group = UInt16(head[0]) | UInt16(head[1]) << 8
        return group == 0x0002 || group == 0x0008
    }

    /// Up to `count` bytes from the start of `path`.
    static func head(_ path: String, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return Array(bytes[0..<done])
    }
}

extension InstanceFileInfo {
    /// ``inspect(path:)`` of each path, in one job on NIO's blocking-I/O thread pool, so callers on the
    /// cooperative pool never block.
    public static func inspect(paths: [String]) async -> [(info: InstanceFileInfo?, content: [UInt8]?)] {
        (try? await NIOThreadPool.singleton.runIfActive { paths.map { inspect(path: $0) } })
            ?? paths.map { _ in (nil, nil) }
    }
}
