import Archive
import DICOMCore

extension RenderedController {
    /// The frame numbers of `list` for `instance`, of its frames as ``RetrieveService/frameLayout(_:)`` finds
    /// them: recorded at ingest, found by inflating a deflated image, or fragments ingest could not assign,
    /// assigned by their codestreams.
    static func frameNumbers(
        _ list: String, of instance: StoredInstance, _ retrieve: RetrieveService
    ) async throws -> [Int] {
        try WadoController.frameNumbers(list, count: try await retrieve.frameLayout(instance)?.frameCount ?? 0)
    }
}
