import DICOMBinary
import DICOMCore
import DICOMImaging
import DICOMweb

/// Decides what renders and how (PS3.18 §8.7.4, §10.4.1.1.3–4, §9.5): which instances are images, documents,
/// video or reports, which instance and frame a thumbnail shows, and how a presentation state applies.
/// Transport-free: WADO-RS rendered and thumbnail resources and WADO-URI use it, the viewer and DIMSE can later;
/// the pixels themselves are rendered by ``RetrieveService`` on the codec pool.
public struct RenderService: Sendable {
    /// The service that reads and renders what is stored.
    public let retrieve: RetrieveService

    /// Creates the service.
    public init(retrieve: RetrieveService) {
        self.retrieve = retrieve
    }

    // MARK: What renders

    /// Encapsulated PDF Storage (PS3.4 Annex B.5), rendered as `application/pdf`.
    public static let encapsulatedPDF = "1.2.840.10008.5.1.4.1.1.104.1"
    /// Encapsulated CDA Storage, rendered as `text/xml`.
    public static let encapsulatedCDA = "1.2.840.10008.5.1.4.1.1.104.2"
    /// The Structured Report SOP Classes (1.2.840.10008.5.1.4.1.1.88.*), rendered as text.
    public static let structuredReportPrefix = "1.2.840.10008.5.1.4.1.1.88."

    /// Whether the instance is MPEG-2, MPEG-4 or HEVC video, whose rendered form is its stream.
    public static func isVideo(_ instance: StoredInstance) -> Bool {
        let media = FrameMediaTypes.mediaType(forTransferSyntax: instance.transferSyntaxUID)
        return media == .mpeg || media == .mp4
    }

    /// Whether the instance is an image rendered as JPEG, PNG or GIF: pixel data that is not video.
    public static func isImage(_ instance: StoredInstance) -> Bool {
        instance.hasPixelData && !isVideo(instance)
    }

    /// The media type a non-image instance renders as (video, PDF, CDA), nil when it has none.
    public static func documentType(_ instance: StoredInstance) -> MediaType? {
        if isVideo(instance) { return FrameMediaTypes.mediaType(forTransferSyntax: instance.transferSyntaxUID) }
        if instance.sopClassUID == encapsulatedPDF { return .pdf }
        if instance.sopClassUID == encapsulatedCDA { return MediaType(type: "text", subtype: "xml") }
        return nil
    }

    /// The rendering source of `instance`, nil when it cannot be rendered (no decoder, a segmented palette,
    /// pixel data no codec decodes). An instance whose stored bytes are missing or damaged is not left out:
    /// it throws (a failure before a response starts, a cut transfer after).
    public func renderable(_ instance: StoredInstance) async throws -> RenderSource? {
        do {
            return try await retrieve.renderSource(instance)
        } catch let error as ArchiveError where error.code == .damaged {
            throw error
        } catch {
            return nil
        }
    }

    /// The frame numbers of `list` (PS3.18 §10.4.1.1.2) for `instance`, of its frames as
    /// ``RetrieveService/frameLayout(_:)`` finds them: recorded at ingest, found by inflating a deflated
    /// image, or fragments ingest could not assign, assigned by their codestreams.
    public func frameNumbers(_ list: String, of instance: StoredInstance) async throws -> [Int] {
        try BulkSelection.frameNumbers(list, count: try await retrieve.frameLayout(instance)?.frameCount ?? 0)
    }

    /// The GIF delay of one frame, in hundredths of a second: Frame Time (0018,1063, ms), else Cine Rate
    /// (0018,0040, frames per second), else 10.
    public static func frameDelay(_ attributes: DataSet) -> Int {
        if let text = attributes.string(Tag.frameTime), let ms = Double(text), ms > 0 {
            // A GIF delay is 16 bits; a stored Frame Time of 1e300 must not overflow Int.
            return max(2, Int((min(ms, 655_350) / 10).rounded()))
        }
        if let rate = attributes.int(Tag.cineRate), rate > 0 { return max(2, 100 / rate) }
        return 10
    }

    // MARK: Thumbnails

    /// The largest thumbnail side when no viewport is given.
    public static let thumbnailSize = 128

    /// The instance a thumbnail of `selection` shows (Supplement 203): the instance itself; the middle image
    /// instance of a series; of a study, the middle image instance of its first series with images (storage
    /// order). ``ArchiveError/Code/notAcceptable`` when there is no image.
    public static func thumbnailInstance(
        _ found: [StoredInstance], of selection: InstanceSelection
    ) throws
        -> StoredInstance
    {
        let images = found.filter(isImage)
        let chosen: StoredInstance
        switch selection {
        case .instance: chosen = found[0]
        case .series:
            guard !images.isEmpty else { throw ArchiveError(.notAcceptable, "the series holds no image") }
            chosen = images[images.count / 2]
        case .study:
            guard let series = images.first?.seriesUID else {
                throw ArchiveError(.notAcceptable, "the study holds no image")
            }
            let inSeries = images.filter { $0.seriesUID == series }
            chosen = inSeries[inSeries.count / 2]
        }
        guard isImage(chosen) else {
            throw ArchiveError(.notAcceptable, "instance \(chosen.sopInstanceUID) is not an image")
        }
        return chosen
    }

    /// A thumbnail of `source`, without annotations: frame `number` (the middle frame when nil), fitted in
    /// `viewport` or, without one, in ``thumbnailSize`` squared when it is larger.
    public func thumbnail(
        _ source: RenderSource, frame number: Int?, viewport: Viewport?
    ) async throws
        -> RenderedImage
    {
        let size = max(source.renderer.geometry.rows, source.renderer.geometry.columns)
        let fit =
            viewport
            ?? (size > Self.thumbnailSize ? Viewport(width: Self.thumbnailSize, height: Self.thumbnailSize) : nil)
        return try await retrieve.renderedFrame(
            source, number: number ?? (source.frames + 1) / 2, window: nil, viewport: fit)
    }
}
