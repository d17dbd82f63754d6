import DICOMCore
import DICOMImaging
import DICOMweb

/// A non-image instance in its rendered form (PS3.18 §8.7.4, Table 8.7.4-1): an encapsulated document or a
/// video stream, sent unchanged from its stored byte ranges.
public struct RenderedDocument: Sendable, Hashable {
    /// The instance.
    public let instance: StoredInstance
    /// Its rendered media type: `application/pdf`, `text/xml`, `video/mpeg` or `video/mp4`.
    public let mediaType: MediaType
    /// The stored byte ranges of the document, in order.
    public internal(set) var ranges: [ByteRange]

    /// The length of the document.
    public var length: UInt64 { ranges.reduce(0) { $0 + $1.length } }
}

extension RenderService {
    /// The rendered document of a non-image instance: the video stream of each frame (fragments shared by
    /// frames once), or the Encapsulated Document (0042,0011) of a PDF or CDA; nil when it is neither (a report,
    /// or nothing that renders). ``ArchiveError/Code/notAcceptable`` when a PDF or CDA holds no document.
    /// Check with ``prepare(_:)`` before sending.
    public func document(_ instance: StoredInstance) async throws -> RenderedDocument? {
        if Self.isVideo(instance), let layout = instance.pixelLayout {
            var ranges: [ByteRange] = []
            for number in 1...max(1, layout.frameCount) {
                for range in layout.ranges(ofFrame: number) ?? [] where !ranges.contains(range) { ranges.append(range) }
            }
            return RenderedDocument(
                instance: instance, mediaType: FrameMediaTypes.mediaType(forTransferSyntax: instance.transferSyntaxUID),
                ranges: ranges)
        }
        guard instance.sopClassUID == Self.encapsulatedPDF || instance.sopClassUID == Self.encapsulatedCDA else {
            return nil
        }
        guard let range = try await retrieve.elementRange(instance, Tag.encapsulatedDocument) else {
            throw ArchiveError(.notAcceptable, "the instance holds no Encapsulated Document to render")
        }
        let type =
            instance.sopClassUID == Self.encapsulatedPDF ? MediaType.pdf : MediaType(type: "text", subtype: "xml")
        return RenderedDocument(instance: instance, mediaType: type, ranges: [range])
    }

    /// The checks made before a document is sent, and its exact extent: missing or damaged bytes are an
    /// ``ArchiveError`` (a failure, not a success with a short body); a PDF ends before the NUL that pads its
    /// value to even length.
    public func prepare(_ document: RenderedDocument) async throws -> RenderedDocument {
        var document = document
        try await retrieve.checkIntact(document.instance)
        if document.mediaType == .pdf, let last = document.ranges.last, document.length > 0 {
            var tail: UInt8 = 0
            try await retrieve.stream(
                document.instance, range: ByteRange(offset: last.offset + last.length - 1, length: 1)
            ) {
                tail = $0.readableBytesView.first ?? 0
            }
            if tail == 0 { document.ranges[document.ranges.count - 1].length -= 1 }
        }
        return document
    }

    /// The reason a non-image instance that is neither a document nor a report cannot be rendered.
    public static func noRenderedForm(_ instance: StoredInstance) -> ArchiveError {
        ArchiveError(
            .notAcceptable,
            "instance \(instance.sopInstanceUID) (SOP Class \(instance.sopClassUID)) has no rendered form")
    }

    // MARK: Structured Reports

    /// The rendered types of a report (Table 8.7.4-1), the default first.
    public static let reportTypes: [MediaType] = [
        MediaType(type: "text", subtype: "html"), MediaType(type: "text", subtype: "plain"),
    ]

    /// The report's data set when the instance is a Structured Report (its SOP Class says so: the SR family
    /// 1.2.840.10008.5.1.4.1.1.88.*; reports are small enough to read whole); nil otherwise.
    public func report(_ instance: StoredInstance) async throws -> DataSet? {
        guard !instance.hasPixelData, instance.sopClassUID.hasPrefix(Self.structuredReportPrefix) else {
            return nil
        }
        let dataSet = try await retrieve.dataSet(instance)
        return StructuredReportText.isReport(dataSet) ? dataSet : nil
    }

    /// The report as `type` (`text/html` or `text/plain`), UTF-8.
    public static func reportText(_ report: DataSet, as type: MediaType) -> [UInt8] {
        let text =
            type.essence == "text/html" ? StructuredReportText.html(report) : StructuredReportText.plain(report)
        return Array(text.utf8)
    }
}
