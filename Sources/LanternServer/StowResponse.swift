import Archive
import DICOMCore
import DICOMJSON
import DICOMXML
import DICOMweb
import Foundation
import HTTPTypes

/// The Store Instances Response Module (PS3.18 §10.5.3, Table 10.5.3-1): Referenced SOP Sequence for what
/// was stored (with RetrieveURL and any Warning Reason), Failed SOP Sequence with Failure Reasons, the
/// study's RetrieveURL, and an Error Comment on every item that has something to explain.
struct StowResponse {
    var outcomes: [StoreOutcome] = []
    /// A failure of the request itself after some parts were read (e.g. a truncated body).
    var requestFailure: String?

    var storedCount: Int { outcomes.filter(\.isStored).count }

    /// 200 when everything is stored without warnings, 202 when some is stored (with failures or
    /// warnings), 409 when nothing is (PS3.18 §10.5.3 Table 10.5.3-2); 400 when nothing was even read.
    var status: HTTPResponse.Status {
        if outcomes.isEmpty { return .badRequest }
        let stored = storedCount
        if stored == 0 { return .conflict }
        if stored < outcomes.count || outcomes.contains(where: { $0.warning != nil }) || requestFailure != nil {
            return .accepted
        }
        return .ok
    }

    /// An Error Comment (LO: 64 characters of the default repertoire).
    static func comment(_ text: String) -> DataElement {
        let ascii = String(
            text.replacingOccurrences(of: "§", with: "sect. ").unicodeScalars.map { $0.isASCII ? Character($0) : "?" })
        return DataElement.text(Tag(0x0000_0902), .LO, String(ascii.prefix(64)))
    }

    func dataSet(base: String, requestStudy: String?) -> DataSet {
        var result = DataSet()
        var referenced: [DataSet] = []
        var failed: [DataSet] = []
        for outcome in outcomes {
            var item = DataSet()
            if let c = outcome.sopClassUID { item.set(DataElement.text(Tag(0x0008_1150), .UI, c)) }
            if let i = outcome.sopInstanceUID { item.set(DataElement.text(Tag(0x0008_1155), .UI, i)) }
            if let comment = outcome.comment { item.set(Self.comment(comment)) }
            if let failure = outcome.failure {
                item.set(DataElement.unsignedShort(Tag(0x0008_1197), failure.rawValue))
                failed.append(item)
            } else {
                if let category = outcome.category, let sop = outcome.sopInstanceUID {
                    item.set(DataElement.text(Tag(0x0008_1190), .UR, "\(base)/\(category.rawValue)/\(sop)"))
                } else if let study = outcome.studyUID, let series = outcome.seriesUID,
                    let sop = outcome.sopInstanceUID
                {
                    item.set(
                        DataElement.text(
                            Tag(0x0008_1190), .UR, "\(base)/studies/\(study)/series/\(series)/instances/\(sop)"))
                }
                if let warning = outcome.warning { item.set(DataElement.unsignedShort(Tag(0x0008_1196), warning)) }
                referenced.append(item)
            }
        }
        if let requestFailure {
            var item = DataSet()
            item.set(DataElement.unsignedShort(Tag(0x0008_1197), StoreOutcome.Failure.cannotUnderstand.rawValue))
            item.set(Self.comment(requestFailure))
            failed.append(item)
        }
        let studies = Set(outcomes.compactMap { $0.isStored ? $0.studyUID : nil })
        if let study = requestStudy ?? (studies.count == 1 ? studies.first : nil), storedCount > 0 {
            result.set(DataElement.text(Tag(0x0008_1190), .UR, "\(base)/studies/\(study)"))
        }
        if !failed.isEmpty { result.set(DataElement(Tag(0x0008_1198), items: failed)) }
        if !referenced.isEmpty { result.set(DataElement(Tag(0x0008_1199), items: referenced)) }
        return result
    }
}
