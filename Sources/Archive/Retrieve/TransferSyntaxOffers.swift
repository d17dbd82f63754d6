import DICOMCore
import DICOMImaging
import DICOMweb

/// The representations an archive offers for instances and frames (PS3.18 §8.7.3), in the order negotiation
/// prefers them, and the rules for an Accept that names no transfer syntax (§8.7.3.5.2).
public enum TransferSyntaxOffers {
    /// Native transfer syntaxes an instance stored natively can be converted to.
    public static let nativeSyntaxes = ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"]

    /// `multipart/related; type="application/dicom"` and `application/dicom` with the transfer syntaxes every
    /// instance of `found` can be sent in: `*` (as stored) first, then the stored syntax when they share one,
    /// then the native syntaxes all can be converted to. Negotiate with ``defaultingTransferSyntax(_:)``.
    public static func instances(_ found: [StoredInstance]) -> [Representation] {
        let stored = Array(Set(found.map(\.transferSyntaxUID))).sorted()
        var syntaxes = stored.count == 1 ? stored : []
        // Encapsulated targets only for images: a codec has frames to encode.
        let images = found.allSatisfy { $0.pixelLayout != nil }
        let deflated = TransferSyntax.deflatedExplicitVRLittleEndian.uid
        for target in nativeSyntaxes + [deflated] + (images ? FrameCodecs.encodable : [])
        where !syntaxes.contains(target) && stored.allSatisfy({ RetrieveService.canSend($0, as: target) }) {
            syntaxes.append(target)
        }
        if syntaxes.isEmpty { syntaxes = stored }
        // `*` first: "as stored" wins for `transfer-syntax=*`, whatever the mix of stored syntaxes.
        syntaxes.insert("*", at: 0)
        let fallback = stored.count == 1 ? stored[0] : nil
        return [
            Representation(
                .multipartRelated(type: .dicom), transferSyntaxes: syntaxes, defaultTransferSyntax: fallback),
            Representation(.dicom, transferSyntaxes: syntaxes, defaultTransferSyntax: fallback),
        ]
    }

    /// Whether no DICOM range of `accept` names a transfer syntax (a bare `application/dicom`,
    /// `multipart/related; type="application/dicom"`, `*/*` or no Accept at all): the server's default applies.
    public static func namesNoTransferSyntax(_ accept: AcceptHeader) -> Bool {
        !accept.ranges.contains { range in
            range.mediaType[parameter: "transfer-syntax"] != nil
        }
    }

    /// Treats a `multipart/related; type="application/dicom"` range without `transfer-syntax` as asking for
    /// the stored syntax, as most archives do (PS3.18 §8.7.3.5.2 names Explicit VR Little Endian as the
    /// default; serving the stored syntax avoids a lossy or impossible conversion).
    public static func defaultingTransferSyntax(_ accept: AcceptHeader) -> AcceptHeader {
        AcceptHeader(
            ranges: accept.ranges.map { range in
                var r = range
                if r.mediaType[parameter: "transfer-syntax"] == nil,
                    r.mediaType.hasSameEssence(as: .dicom)
                        || (r.mediaType.hasSameEssence(as: .multipartRelated)
                            && r.mediaType[parameter: "type"].flatMap { MediaType($0) }?.hasSameEssence(as: .dicom)
                                == true)
                {
                    r.mediaType = r.mediaType.setting(parameter: "transfer-syntax", to: "*")
                }
                return r
            })
    }

    /// The transfer syntax each frame media type defaults to when a range names none (PS3.18 Table 8.7.3-4):
    /// the lossless one of its codec.
    public static let codecDefaults = [
        "image/jpeg": JPEGCodec.losslessSV1, "image/jls": JPEGLSCodec.lossless, "image/jp2": JPEG2000Codec.lossless,
        "image/jphc": JPEG2000Codec.htLossless,
    ]

    /// The frame representations of every syntax a codec encodes (but `excluding`), one per media type with the
    /// type's default transfer syntax (``codecDefaults``): multipart first, then the bare types.
    public static func encodedFrames(excluding: String?) -> [Representation] {
        var byType: [(MediaType, [String])] = []
        for syntax in FrameCodecs.encodable where syntax != excluding {
            let type = FrameMediaTypes.mediaType(forTransferSyntax: syntax)
            if let at = byType.firstIndex(where: { $0.0 == type }) {
                byType[at].1.append(syntax)
            } else {
                byType.append((type, [syntax]))
            }
        }
        func representation(_ type: MediaType, _ syntaxes: [String], multipart: Bool) -> Representation {
            let fallback = codecDefaults[type.essence].flatMap { syntaxes.contains($0) ? $0 : nil } ?? syntaxes[0]
            return Representation(
                multipart ? .multipartRelated(type: type) : type, transferSyntaxes: syntaxes,
                defaultTransferSyntax: fallback)
        }
        return byType.map { representation($0.0, $0.1, multipart: true) }
            + byType.map { representation($0.0, $0.1, multipart: false) }
    }

    /// The representations of frames, pixel data or bulk data stored in `stored` (PS3.18 §8.7.3.3–4): as
    /// stored; frames a codec decodes also native (octet-stream without a transfer syntax is Explicit VR
    /// Little Endian) and re-encoded in any syntax a codec produces. `encapsulated` says whether the values
    /// are encapsulated frames; `convertible` whether they may be decoded; `plainBulk` that they are a value
    /// other than Pixel Data.
    static func frames(
        stored: TransferSyntax, encapsulated: Bool, convertible: Bool, plainBulk: Bool
    )
        -> [Representation]
    {
        let native = MediaType.octetStream
        let le = Representation.explicitVRLittleEndian
        var offers: [Representation] = []
        if encapsulated {
            let own = FrameMediaTypes.mediaType(forTransferSyntax: stored.uid)
            offers = [
                Representation(
                    .multipartRelated(type: own), transferSyntaxes: [stored.uid], defaultTransferSyntax: stored.uid),
                Representation(own, transferSyntaxes: [stored.uid], defaultTransferSyntax: stored.uid),
            ]
        }
        // octet-stream: native frames, or with `transfer-syntax=*` the stored ones.
        let octets = encapsulated ? (convertible ? [stored.uid, le] : [stored.uid]) : [le]
        offers += [
            Representation(.multipartRelated(type: native), transferSyntaxes: octets),
            Representation(native, transferSyntaxes: octets),
        ]
        if convertible && !plainBulk && !stored.isBigEndian && !stored.isDeflated {
            offers += encodedFrames(excluding: encapsulated ? stored.uid : nil)
        }
        return offers
    }
}
