import Archive
import DICOMCore

extension RenderedController {
    /// The frame numbers of `list` for `instance`: its frames as recorded at ingest, those of a deflated image,
    /// found by inflating it (``RetrieveService/frameLayout(_:)``), or encapsulated fragments that ingest could
    /// not assign, assigned by their codestreams (``RetrieveService/codestreamFrames(_:frames:)``).
    static func frameNumbers(
        _ list: String, of instance: StoredInstance, _ retrieve: RetrieveService
    ) async throws -> [Int] {
        if instance.isDeflatedImage {
            return try WadoController.frameNumbers(
                list, count: try await retrieve.frameLayout(instance)?.frameCount ?? 0)
        }
        if case .encapsulated(let recorded)? = instance.pixelLayout, recorded.count == 1, recorded[0].count > 1,
            let frames = try await retrieve.imageAttributes(instance).int(Tag(0x0028_0008)), frames > 1,
            let layout = try await retrieve.codestreamFrames(instance, frames: frames)
        {
            return try WadoController.frameNumbers(list, count: layout.frameCount)
        }
        return try WadoController.frameNumbers(list, of: instance)
    }
}
