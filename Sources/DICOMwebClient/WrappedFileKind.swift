#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A non-DICOM file a client can store as the bulk data of a new instance (PS3.18 §10.5.1.2.2, metadata and
/// bulk data), with the storage class it becomes.
public enum WrappedFileKind: String, Sendable, CaseIterable {
    /// JPEG image → Secondary Capture Image (pixel data, JPEG transfer syntax from the bit stream).
    case jpeg
    /// PNG image → Secondary Capture Image (native pixel data).
    case png
    /// MPEG-2 video → Video Photographic Image.
    case mpeg2
    /// MP4 (H.264 / H.265) video → Video Photographic Image.
    case mp4
    /// PDF → Encapsulated PDF.
    case pdf
    /// HL7 CDA document → Encapsulated CDA.
    case cda
    /// STL mesh → Encapsulated STL.
    case stl

    /// The bulk data part's media type (PS3.18 §8.7.3.5).
    public var mediaType: MediaType {
        switch self {
        case .jpeg: .jpeg
        case .png: .png
        case .mpeg2: .mpeg
        case .mp4: .mp4
        case .pdf: .pdf
        case .cda: .textXML
        case .stl: .stl
        }
    }

    /// The SOP Class UID of the instance (PS3.4 Annex B.5).
    public var sopClassUID: String {
        switch self {
        case .jpeg, .png: "1.2.840.10008.5.1.4.1.1.7"
        case .mpeg2, .mp4: "1.2.840.10008.5.1.4.1.1.77.1.4.1"
        case .pdf: "1.2.840.10008.5.1.4.1.1.104.1"
        case .cda: "1.2.840.10008.5.1.4.1.1.104.2"
        case .stl: "1.2.840.10008.5.1.4.1.1.104.3"
        }
    }

    /// The Modality (0008,0060) used when none is given (PS3.3 §C.7.3.1.1.1).
    public var defaultModality: String {
        switch self {
        case .jpeg, .png: "OT"
        case .mpeg2, .mp4: "XC"
        case .pdf, .cda: "DOC"
        case .stl: "M3D"
        }
    }

    /// Whether the content goes in Pixel Data (7FE0,0010); otherwise in Encapsulated Document (0042,0011).
    public var isPixelData: Bool { [.jpeg, .png, .mpeg2, .mp4].contains(self) }

    /// Instances of one kind group go into one series: images, videos, documents.
    public var seriesGroup: Int {
        switch self {
        case .jpeg, .png: 0
        case .mpeg2, .mp4: 1
        case .pdf, .cda, .stl: 2
        }
    }

    /// The kind of the file at `path`, from its first bytes, or from its extension where the content has no
    /// signature (STL); `nil` when it is none of these.
    public static func detect(path: String) -> WrappedFileKind? {
        guard let head = InstanceFileInfo.head(path, count: 4096), !head.isEmpty else { return nil }
        return detect(head: head, fileExtension: Self.fileExtension(path))
    }

    /// The kind of content starting with `head`.
    public static func detect(head: [UInt8], fileExtension: String) -> WrappedFileKind? {
        func starts(_ bytes: [UInt8]) -> Bool { head.count >= bytes.count && head.starts(with: bytes) }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if head.count >= 12, head[4..<8].elementsEqual("ftyp".utf8) { return .mp4 }
        if starts([0x00, 0x00, 0x01, 0xBA]) || starts([0x00, 0x00, 0x01, 0xB3]) { return .mpeg2 }
        if head.count >= 188 * 2, head[0] == 0x47, head[188] == 0x47, fileExtension != "stl" { return .mpeg2 }
        let text = String(decoding: head.prefix(4096), as: UTF8.self)
        if text.contains("<ClinicalDocument") { return .cda }
        if fileExtension == "stl" { return .stl }
        return nil
    }

    static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}
