import DICOMCore
import DICOMImaging
import DICOMweb

/// The plan of a frames, pixel data or bulk data retrieve (PS3.18 §10.4.1.1.6–7, §8.7.3.3–4): the
/// representation negotiated, the transfer syntax of every part, and whether frames are converted.
public struct BulkPlan: Sendable {
    /// The instance.
    public let instance: StoredInstance
    /// What is sent of it.
    public let selection: BulkSelection
    /// The media type negotiated (multipart or single part, with the `transfer-syntax` it named).
    public let mediaType: MediaType
    /// Whether the parts go in a `multipart/related` body.
    public let multipart: Bool
    /// The media type of each part, as negotiated (its `transfer-syntax` is replaced by ``transferSyntax``).
    public let partType: MediaType
    /// The transfer syntax of what every part holds (PS3.18 §8.7.3.4): the stored or newly encoded one of
    /// encapsulated frames, Explicit VR Little Endian for native frames and bulk data.
    public let transferSyntax: String
    /// The encapsulated syntax frames are encoded in, one at a time; nil when none is encoded.
    public let encodingTo: String?
    /// Whether encapsulated frames are decoded, one at a time.
    let decoding: Bool
    /// The byte swap applied to stored big endian values as they are read.
    public let swap: ByteSwap?
    /// The geometry of the stored frames when they are converted (decoded or encoded); set by
    /// ``RetrievePlanner/prepare(_:)-(BulkPlan)`` when it was not read to negotiate.
    public internal(set) var geometry: FrameGeometry?

    /// The media type of each part, with the transfer syntax of what it holds.
    public var partMediaType: MediaType { partType.setting(parameter: "transfer-syntax", to: transferSyntax) }

    /// Whether the syntax chosen needs the frames decoded or encoded.
    var needsCodec: Bool { decoding || encodingTo != nil }

    /// Whether, once prepared, the parts are frames read through a codec (``RetrievePlanner/frame(_:at:)``)
    /// rather than stored bytes (``RetrieveService/valueReader(_:swapping:)``): only when the syntax chosen
    /// needs one. A geometry read during negotiation (to refuse a first choice the codecs cannot produce) does
    /// not make a fallback to the stored syntax decode: its frames are sent as stored, as their media type says.
    public var convertsFrames: Bool { needsCodec && geometry != nil }

    /// What distinguishes this representation of the instance from the others, for an entity tag: the media
    /// type, the parts' locations and where the first one starts.
    public var variant: String {
        mediaType.description + (selection.locations?.joined() ?? "")
            + "\(selection.parts.first?.first?.offset ?? 0)"
    }
}

extension RetrievePlanner {
    /// `/frames/{list}` (PS3.18 §10.4.1.1.6) or, without a list, `/pixeldata` (CP 2040, all frames) of
    /// `instance`: ``ArchiveError/Code/notFound`` when it has no pixel data, the errors of
    /// ``BulkSelection/frameNumbers(_:count:)`` for a bad list.
    public func frames(_ instance: StoredInstance, list: String?) async throws -> BulkSelection {
        // Deflated instances have no recorded frames: they are found by inflating.
        guard let layout = try await retrieve.frameLayout(instance) else {
            throw ArchiveError(.notFound, "instance \(instance.sopInstanceUID) has no pixel data")
        }
        let numbers =
            try list.map { try BulkSelection.frameNumbers($0, count: layout.frameCount) }
            ?? Array(1...max(1, layout.frameCount))
        return BulkSelection(
            parts: numbers.map { layout.ranges(ofFrame: $0) ?? [] }, locations: numbers.map { "frames/\($0)" })
    }

    /// A BulkDataURI of the metadata (``BulkDataLocation``) of `instance`; the top-level Pixel Data resolves
    /// to its frames, encapsulated Pixel Data nested in a sequence to its fragments.
    /// ``ArchiveError/Code/notFound`` when the reference addresses no value.
    public func bulkData(_ instance: StoredInstance, reference text: String) async throws -> BulkSelection {
        guard let reference = BulkDataLocation(text) else { throw ArchiveError(.notFound, "no bulk data \(text)") }
        let offset = reference.offset
        let syntax = TransferSyntax(uid: instance.transferSyntaxUID)
        if offset == instance.pixelDataOffset, let layout = instance.pixelLayout, reference.length == nil {
            return BulkSelection(parts: (1...max(1, layout.frameCount)).map { layout.ranges(ofFrame: $0) ?? [] })
        }
        if reference.length == nil, syntax.isEncapsulated,
            let fragments = try await retrieve.nestedFragments(instance, at: offset)
        {
            // Encapsulated Pixel Data nested in a sequence (an icon image): one frame, its fragments, as stored
            // (its geometry is not the instance's, so it is never decoded here).
            return BulkSelection(parts: [fragments], asStored: true)
        }
        guard let length = reference.length, case (let end, false) = offset.addingReportingOverflow(length),
            end <= instance.size || syntax.isDeflated
        else {
            throw ArchiveError(.notFound, "no bulk data \(text)")
        }
        if syntax.isDeflated {
            // Offsets count inflated bytes: the value is checked by inflating up to it, before the head.
            let reader = retrieve.valueReader(instance)
            defer { reader.close() }
            try await retrieve.checkInflatedValue(reader, at: offset, length: length)
        }
        // Big endian values are sent little endian (PS3.18 §8.7.3.4), swapped by their VR.
        let swap = try await retrieve.bulkDataSwap(instance, valueAt: offset, length: length)
        return BulkSelection(parts: [[ByteRange(offset: offset, length: length)]], plainBulk: true, swapping: swap)
    }

    /// Negotiates how `selection` of `instance` is sent for `accept`: as stored; frames a codec decodes also
    /// native and re-encoded in any syntax a codec produces, one frame at a time. Throws ``RetrieveRefusal``
    /// when no acceptable representation matches, and the codec's reason (``CodecError``) when every matching
    /// one needs a conversion the codecs cannot make for these frames.
    public func planBulk(
        _ instance: StoredInstance, _ selection: BulkSelection, accept: AcceptHeader
    ) async throws -> BulkPlan {
        let ts = TransferSyntax(uid: instance.transferSyntaxUID)
        let plainBulk = selection.plainBulk
        let encapsulated = ts.isEncapsulated && !plainBulk
        // Native big endian frames are sent little endian (PS3.18 §8.7.3.4), words of Bits Allocated reversed.
        let swap =
            !encapsulated && ts.isBigEndian && !plainBulk
            ? try await retrieve.pixelDataSwap(instance) : selection.swapping
        let convertible = !encapsulated || (!selection.asStored && FrameCodecs.canDecode(ts.uid))
        let offers = TransferSyntaxOffers.frames(
            stored: ts, encapsulated: encapsulated, convertible: convertible, plainBulk: plainBulk)
        let negotiated: NegotiatedRepresentation
        let knownGeometry: FrameGeometry?
        do {
            // A range whose conversion the codecs cannot make for these frames gives way to the next one.
            (negotiated, knownGeometry) = try await negotiateProducible(
                accept, offers: offers, instance: instance, encapsulated: encapsulated)
        } catch let error as NotAcceptable {
            throw RetrieveRefusal.noFrameRepresentation(error, stored: ts.uid, decodable: convertible)
        }
        let chosen = negotiated.transferSyntax.flatMap { $0 == "*" ? nil : $0 } ?? ts.uid
        let decoding = encapsulated && chosen != ts.uid
        let encodingTo: String? = chosen != ts.uid && TransferSyntax(uid: chosen).isEncapsulated ? chosen : nil
        let multipart = negotiated.mediaType.hasSameEssence(as: .multipartRelated)
        let partType =
            multipart
            ? (negotiated.mediaType[parameter: "type"].flatMap { MediaType($0) } ?? .octetStream) : negotiated.mediaType
        return BulkPlan(
            instance: instance, selection: selection, mediaType: negotiated.mediaType, multipart: multipart,
            partType: partType,
            transferSyntax: encodingTo ?? (encapsulated && !decoding ? ts.uid : Representation.explicitVRLittleEndian),
            encodingTo: encodingTo, decoding: decoding, swap: swap, geometry: knownGeometry)
    }

    /// The checks made before the response of `plan` starts: missing or damaged bytes (``ArchiveError``, a
    /// 500, not a success with a short body), frames the codecs cannot convert (``CodecError``), several parts
    /// asked for as a single one (``RetrieveRefusal``). Returns the plan with the frames' geometry when they
    /// are converted.
    public func prepare(_ plan: BulkPlan) async throws -> BulkPlan {
        var plan = plan
        let stored = plan.instance.transferSyntaxUID
        try await retrieve.checkIntact(plan.instance)
        if plan.geometry == nil, plan.needsCodec {
            plan.geometry = try FrameGeometry(try await retrieve.imageAttributes(plan.instance))
        }
        if let geometry = plan.geometry {
            if plan.decoding { try FrameCodecs.checkDecodable(geometry, from: stored) }
            if let encodingTo = plan.encodingTo {
                let native = plan.decoding ? FrameCodecs.decodedGeometry(geometry, from: stored) : geometry
                try FrameCodecs.checkEncodable(native, in: encodingTo)
            }
        }
        if !plan.multipart, plan.selection.parts.count != 1 {
            throw RetrieveRefusal.severalFramesNeedMultipart(partType: plan.partType.essence)
        }
        return plan
    }

    /// Part `index` of a plan whose frames are converted (``BulkPlan/convertsFrames``), read and converted
    /// on the codec pool; nil when the plan sends stored bytes.
    public func frame(_ plan: BulkPlan, at index: Int) async throws -> [UInt8]? {
        guard plan.convertsFrames, let geometry = plan.geometry else { return nil }
        return try await retrieve.convertedFrame(
            plan.instance, ranges: plan.selection.parts[index], geometry: geometry, encodingTo: plan.encodingTo)
    }

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
    func negotiateProducible(
        _ accept: AcceptHeader, offers: [Representation], instance: StoredInstance, encapsulated: Bool
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
