import DICOMCore
import DICOMImaging

extension RetrieveService {
    /// Converts the first frame of `instance` as a retrieve in `target` would (decoded from an encapsulated
    /// syntax, encoded into one), so that pixel data no codec accepts (a truncated or corrupt codestream, a
    /// frame shorter than its attributes say) is refused before a single-part response starts: a
    /// ``CodecError`` (406, PS3.18 Table 10.4.3-1: no acceptable representation can be produced) rather than
    /// a 200 cut short. Nothing is done for an instance sent as stored, without frames, or between native
    /// syntaxes.
    public func checkFirstFrame(_ instance: StoredInstance, to target: String) async throws {
        let stored = instance.transferSyntaxUID
        guard target != "*", target != stored, let ranges = instance.pixelLayout?.ranges(ofFrame: 1) else { return }
        let encoding = TransferSyntax(uid: target).isEncapsulated
        guard TransferSyntax(uid: stored).isEncapsulated || encoding else { return }
        let geometry = try FrameGeometry(try await imageAttributes(instance))
        _ = try await convertedFrame(instance, ranges: ranges, geometry: geometry, encodingTo: encoding ? target : nil)
    }
}
