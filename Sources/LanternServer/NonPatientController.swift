import Archive
import DICOMCore
import DICOMJSON
import DICOMXML
import DICOMweb
import HTTPTypes
import Hummingbird
import NIOCore

/// The Non-Patient Instance Service (PS3.18 §12): store, search and retrieve of color palettes, hanging
/// protocols, defined procedure protocols, implant templates and inventories at `/{npi-name}`.
///
/// - Store (§12.5) takes the STOW-RS bodies (``StowController``); a SOP Class outside the category fails with
///   0x0122, and the response's RetrieveURLs name `/{npi-name}/{uid}`.
/// - Search (§12.6) has the QIDO-RS parameters and matching, on the keys of the category's PS3.4 query model;
///   each match returns those keys (``NonPatientCategory/returnTags``), the `includefield` ones and the
///   matching ones, with its RetrieveURL; 204 when nothing matches.
/// - Retrieve (§12.4): DICOM JSON by default (Table 12.1.3-1), native XML in `multipart/related`, or the
///   Part 10 instance as `application/dicom` (also in `multipart/related`).
struct NonPatientController {
    let index: any IndexStore
    let wado: WadoController
    let retrieve: RetrieveService
    let configuration: ServerConfiguration

    func search(_ request: Request, _ category: NonPatientCategory) async throws -> Response {
        let base = request.serviceBase(configuration)
        return try await FlatSearch.respond(request, configuration: configuration) { query, limit in
            try await QueryService.search(query, limit: limit) { after, count in
                try await index.nonPatientRecords(category, after: after, count: count)
            }
        } project: { query in
            let wanted = query.returnedTags(defaults: category.returnTags)
            return { attributes in
                let sop = attributes.string(Tag.sopInstanceUID) ?? ""
                return attributes.returned(
                    wanted, retrieveURL: "\(base)/\(category.rawValue)/\(PercentEncoding.encode(sop))")
            }
        }
    }

    func retrieve(_ request: Request, _ category: NonPatientCategory, uid: String) async throws -> Response {
        guard let found = try await index.nonPatientInstance(sopInstanceUID: uid), found.category == category else {
            throw DICOMwebError(.notFound, "no \(category.rawValue) instance \(uid)")
        }
        let offers = DataSetListResponse.singleOffers + TransferSyntaxOffers.instances([found.instance])
        let offer: Int
        do {
            offer = try ContentNegotiation.negotiate(
                TransferSyntaxOffers.defaultingTransferSyntax(request.acceptHeader), offers: offers
            ).offerIndex
        } catch { throw DICOMwebError(error) }
        if offer >= DataSetListResponse.singleOffers.count {
            return try await wado.instances(request, found: [found.instance])
        }
        let dataSet: DataSet
        do {
            dataSet = try await retrieve.dataSet(found.instance)
        } catch let error as ArchiveError where error.code == .tooLarge {
            throw DICOMwebError(.notAcceptable, error.message)
        }
        return DataSetListResponse.response([dataSet], offerIndex: offer)
    }
}
