import DICOMCore
import DICOMImaging

extension RenderService {
    /// The Grayscale Softcopy Presentation State `uid` of series `series` in `study` (PS3.3 §A.33), which must
    /// reference `instance` (PS3.18 §9.5.2.6). ``ArchiveError/Code/invalidRequest`` when it is not stored in
    /// the study or references another instance.
    public func presentationState(
        study: String, series: String, uid: String, for instance: StoredInstance
    ) async throws -> PresentationState {
        let states = try? await retrieve.instances(.instance(study: study, series: series, sop: uid))
        guard let state = states?.first else {
            throw ArchiveError(
                .invalidRequest, "presentation state \(uid) of series \(series) is not stored in the study")
        }
        let loaded = PresentationState(try await retrieve.dataSet(state))
        guard loaded.references(instance.sopInstanceUID) else {
            throw ArchiveError(
                .invalidRequest, "presentation state \(uid) does not reference instance \(instance.sopInstanceUID)")
        }
        return loaded
    }

    /// The source region of a WADO-URI rendering (PS3.18 §9.5.2.4): `region` (xmin, ymin, xmax, ymax, fractions
    /// of the image) in pixels, else the presentation state's displayed area, else nil (the whole image).
    public static func region(
        _ region: [Double]?, presentation: PresentationState?, of source: RenderSource
    ) -> Viewport? {
        let geometry = source.renderer.geometry
        if let r = region {
            let (w, h) = (Double(geometry.columns), Double(geometry.rows))
            return Viewport(
                width: 1, height: 1, sourceX: r[0] * w, sourceY: r[1] * h, sourceWidth: (r[2] - r[0]) * w,
                sourceHeight: (r[3] - r[1]) * h)
        }
        return presentation?.displayedArea(
            for: source.instance.sopInstanceUID, width: geometry.columns, height: geometry.rows)
    }

    /// The viewport of PS3.18 §9.5.2.4–5: the region at its own size, scaled to fit `columns` × `rows` (each a
    /// maximum; one alone keeps the aspect ratio).
    public static func viewport(region: Viewport?, rows: Int?, columns: Int?) -> Viewport? {
        guard region != nil || rows != nil || columns != nil else { return nil }
        var viewport = region ?? Viewport(width: 16384, height: 16384)
        if rows != nil || columns != nil {
            viewport.width = columns ?? 16384
            viewport.height = rows ?? 16384
        } else if let region {
            viewport.width = max(1, Int((region.sourceWidth ?? 1).rounded()))
            viewport.height = max(1, Int((region.sourceHeight ?? 1).rounded()))
        }
        return viewport
    }

    /// Frame `number` of `source` as `presentation` turns it (PS3.3 §C.10.6, spatial transformation): rendered
    /// at the region's size, rotated or flipped, then fitted in `columns` × `rows` (no more than
    /// `maximumPixels`), with `annotations` drawn last so that their text is neither turned nor mirrored.
    public func spatiallyTransformed(
        _ source: RenderSource, number: Int, presentation: PresentationState, region: Viewport?, rows: Int?,
        columns: Int?, maximumPixels: Int?, annotations: [RenderAnnotation]
    ) async throws -> RenderedImage {
        var image = presentation.spatial(
            try await retrieve.renderedFrame(
                source, number: number, window: nil,
                viewport: Self.viewport(region: region, rows: nil, columns: nil)))
        if rows != nil || columns != nil {
            var fit = Viewport(width: columns ?? 16384, height: rows ?? 16384)
            fit.maximumPixels = maximumPixels
            image = try fit.apply(to: image)
        }
        return RetrieveService.annotate(
            image, source, number: number, frames: source.frames, window: nil, annotations)
    }
}
