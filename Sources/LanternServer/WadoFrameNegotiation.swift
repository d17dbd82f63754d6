import Archive
import DICOMCore
import DICOMImaging
import DICOMweb

extension WadoController {
    /// Negotiates the representations of frames, pixel data or bulk data (PS3.18 §8.7.3) and makes sure the
    /// one chosen can be produced for this instance: when it needs a conversion the codecs cannot make for
    /// the instance's frames (JPEG baseline of 16-bit frames, say), that transfer syntax is dropped from the
    /// offers and the negotiation runs again, so the next acceptable range in the client's preference order
    /// answers. `Accept: multipart/related; type="application/octet-stream"; transfer-syntax=*,
    /// multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.50` on a 16-bit frame gets
    /// the frame, not a 406. Throws ``NotAcceptable`` when no range matches at all, and the codec's reason
    /// (``CodecError``, a 406) when every matching one needs an impossible conversion.
    ///
    /// Returns the negotiated representation and the frame geometry when one was read to decide.
    static func negotiateProducible(
        _ accept: AcceptHeader, offers: [Representation], instance: StoredInstance, encapsulated: Bool,
        _ retrieve: RetrieveService
    ) async throws -> (NegotiatedRepresentation, FrameGeometry?) {
        var offers = offers
        let stored = instance.transferSyntaxUID
        var geometry: FrameGeometry?
        var refusal: CodecError?
        while true {
            let negotiated: NegotiatedRepresentation
            do {
                negotiated = try ContentNegotiation.negotiate(accept, offers: offers)
            } catch {
                if let refusal { throw refusal }
                throw error
            }
            let chosen = negotiated.transferSyntax.flatMap { $0 == "*" ? nil : $0 } ?? stored
            let decoding = encapsulated && chosen != stored
            let encoding = chosen != stored && TransferSyntax(uid: chosen).isEncapsulated
            guard decoding || encoding else { return (negotiated, geometry) }
            let frames: FrameGeometry
            if let geometry {
                frames = geometry
            } else {
                frames = try FrameGeometry(try await retrieve.imageAttributes(instance))
                geometry = frames
            }
            do {
                if decoding { try FrameCodecs.checkDecodable(frames, from: stored) }
                if encoding {
                    let native = decoding ? FrameCodecs.decodedGeometry(frames, from: stored) : frames
                    try FrameCodecs.checkEncodable(native, in: chosen)
                }
                return (negotiated, geometry)
            } catch {
                // Not producible here: drop this syntax from this offer and ask again.
                refusal = refusal ?? error
                let i = negotiated.offerIndex
                let syntax = negotiated.transferSyntax ?? chosen
                offers[i].transferSyntaxes.removeAll { $0 == syntax || $0 == chosen }
                if offers[i].transferSyntaxes.isEmpty { offers.remove(at: i) }
                if offers.isEmpty { throw error }
            }
        }
    }
}
