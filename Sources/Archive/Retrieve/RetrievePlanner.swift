import DICOMCore
import DICOMweb

/// Decides what a retrieve sends (PS3.18 §10.4, §8.7.3): which representation of the instances, frames or
/// bulk data the client's acceptable media types allow, in which transfer syntax each part goes, from which
/// stored byte ranges, or why nothing can be sent (``RetrieveRefusal``, decided before a response starts).
/// Transport-free: WADO-RS and WADO-URI use it today, DIMSE C-GET/C-MOVE and the viewer can later; the
/// acceptable types come as DICOMweb's ``AcceptHeader`` model, whichever transport they were read from.
///
/// Planning happens in two steps so that a transport can answer conditional requests in between:
/// `plan…` negotiates and decides from what the index says; `prepare` then reads what must be checked before
/// the first byte (missing or damaged bytes, frames no codec converts).
public struct RetrievePlanner: Sendable {
    /// The service that reads and converts what is stored.
    public let retrieve: RetrieveService
    /// The transfer syntax sent when the client names none (PS3.18 §8.7.3.5.2: Explicit VR Little Endian);
    /// `*` sends every instance as stored.
    public let defaultTransferSyntax: String

    /// Creates a planner.
    public init(retrieve: RetrieveService, defaultTransferSyntax: String = Representation.explicitVRLittleEndian) {
        self.retrieve = retrieve
        self.defaultTransferSyntax = defaultTransferSyntax
    }
}

/// The plan of an instances retrieve (PS3.18 §10.4.1.1.1–3): how the instances are packaged and the transfer
/// syntax of each.
public struct InstancesPlan: Sendable {
    /// How the instances are sent.
    public enum Packaging: Sendable, Hashable {
        /// `multipart/related; type="application/dicom"`, one part per instance.
        case multipart
        /// A single `application/dicom` body.
        case single
        /// A zip of the instances as stored (Supplement 211).
        case zip
    }

    /// The instances, in the order they are sent.
    public let instances: [StoredInstance]
    /// The packaging negotiated.
    public let packaging: Packaging
    /// The media type negotiated (with the `transfer-syntax` it named, if any).
    public let mediaType: MediaType
    /// The transfer syntax asked for or defaulted to; nil or `*` for "as stored".
    let requested: String?
    /// Whether the server's default applied (the client named no transfer syntax).
    let defaulted: Bool
    /// The instances the default does not apply to, sent as stored.
    let keptAsStored: Set<String>

    /// The transfer syntax `instance` is sent in.
    public func transferSyntax(of instance: StoredInstance) -> String {
        guard let requested, requested != "*", !keptAsStored.contains(instance.sopInstanceUID),
            RetrieveService.canSend(instance.transferSyntaxUID, as: requested)
        else {
            return instance.transferSyntaxUID
        }
        return requested
    }

    /// The transfer syntax every instance must be converted to, when the client named one (not `*`).
    var named: String? {
        guard !defaulted, let requested, requested != "*" else { return nil }
        return requested
    }
}

extension RetrievePlanner {
    /// Negotiates the representation of `found` (not empty) for `accept`: multipart, a single instance or a
    /// zip (`zip` offers it last), and the transfer syntax of each instance. Throws ``RetrieveRefusal`` when
    /// nothing acceptable can be sent; reads the instances a server default would convert, to keep those
    /// that cannot be converted as stored.
    public func planInstances(
        _ found: [StoredInstance], accept: AcceptHeader, zip: Bool = true
    ) async throws -> InstancesPlan {
        let stored = Array(Set(found.map(\.transferSyntaxUID))).sorted()
        let offers = TransferSyntaxOffers.instances(found) + (zip ? [Representation(.zip)] : [])
        let negotiated: NegotiatedRepresentation
        do {
            negotiated = try ContentNegotiation.negotiate(
                TransferSyntaxOffers.defaultingTransferSyntax(accept), offers: offers)
        } catch {
            throw RetrieveRefusal.noInstanceRepresentation(error, stored: stored)
        }
        // `*` (or a mixed set negotiated on its first offer) sends each instance as stored.
        var requested = negotiated.transferSyntax
        // No transfer syntax named: the standard default (PS3.18 §8.7.3.5.2, Explicit VR Little Endian) for every
        // instance that can be converted to it, the others as stored; a default of `*` keeps them all as stored.
        var keptAsStored: Set<String> = []
        let defaulted = negotiated.offerIndex < 2 && TransferSyntaxOffers.namesNoTransferSyntax(accept)
        if defaulted, defaultTransferSyntax != "*" {
            let standard = defaultTransferSyntax
            requested = standard
            for instance in found where instance.transferSyntaxUID != standard {
                if !(await convertible(instance, to: standard)) { keptAsStored.insert(instance.sopInstanceUID) }
            }
        }
        if !defaulted, let requested, requested != "*",
            let refused = found.first(where: { !RetrieveService.canSend($0.transferSyntaxUID, as: requested) })
        {
            throw RetrieveRefusal.notConvertible(
                sopInstanceUID: refused.sopInstanceUID, stored: refused.transferSyntaxUID, target: requested)
        }
        let packaging: InstancesPlan.Packaging =
            switch negotiated.offerIndex {
            case 0: .multipart
            case 1: .single
            default: .zip
            }
        return InstancesPlan(
            instances: found, packaging: packaging, mediaType: negotiated.mediaType, requested: requested,
            defaulted: defaulted, keptAsStored: keptAsStored)
    }

    /// Whether `instance` can be sent in `target`: a conversion the codecs can make for its frames.
    private func convertible(_ instance: StoredInstance, to target: String) async -> Bool {
        guard RetrieveService.canSend(instance.transferSyntaxUID, as: target) else { return false }
        do {
            try await retrieve.checkConvertible(instance, to: target)
            return true
        } catch { return false }
    }

    /// The checks made before the response of `plan` starts: frames a codec cannot decode or encode
    /// (``CodecError``, a 406 with the reason), a missing or damaged first instance (``ArchiveError``, a 500;
    /// a later one ends the transfer cut short), several instances asked for as a single one
    /// (``RetrieveRefusal``), and the first frame converted when one instance is sent converted (an
    /// undecodable frame is a refusal, never a success cut short).
    public func prepare(_ plan: InstancesPlan) async throws {
        let found = plan.instances
        if let named = plan.named {
            for instance in found { try await retrieve.checkConvertible(instance, to: named) }
        }
        try await retrieve.checkIntact(found[0])
        switch plan.packaging {
        case .zip: return
        case .single:
            guard found.count == 1 else { throw RetrieveRefusal.singlePartHoldsOneInstance }
            let syntax = plan.transferSyntax(of: found[0])
            if syntax != found[0].transferSyntaxUID { try await retrieve.checkFirstFrame(found[0], to: syntax) }
        case .multipart:
            if found.count == 1 { try await retrieve.checkFirstFrame(found[0], to: plan.transferSyntax(of: found[0])) }
        }
    }
}
