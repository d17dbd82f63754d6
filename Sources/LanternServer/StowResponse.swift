import Archive
import DICOMCore
import DICOMDictionary
import DICOMJSON
import DICOMXML
import DICOMweb
import Foundation
import HTTPTypes

/// The Store Instances Response Module (PS3.18 §10.5.3, Table 10.5.3-1): Referenced SOP Sequence for what
/// was stored (with RetrieveURL and any Warning Reason), Failed SOP Sequence with Failure Reasons, the
/// study's RetrieveURL, and an Error Comment on every item that has something to explain (its whole text in a
/// `Warning` header when 64 characters cut it short).
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

    /// An Error Comment (LO: 64 characters of the default repertoire). Reads no more of `text` than it keeps:
    /// one comment per refused part, so its cost must not depend on how long the reason is.
    static func comment(_ text: String) -> DataElement {
        var ascii = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < 64 else { break }
            if scalar == "§" {
                ascii.append(contentsOf: "sect. ".unicodeScalars)
                count += 6
            } else {
                ascii.append(scalar.isASCII ? scalar : "?")
                count += 1
            }
        }
        return DataElement.text(Tag.errorComment, .LO, String(String(ascii).prefix(64)))
    }

    /// Most `Warning` fields of one response, most characters of one and of all: a response head stays small
    /// enough for clients (Python's http.client refuses more than 100 fields) and proxies (4–8 KiB buffers).
    static let maxWarnings = 16
    static let maxWarningLength = 400
    static let maxWarningBytes = 3000

    /// The whole text of every comment that an Error Comment (64 characters) cuts short, as `Warning: 299`
    /// texts (PS3.18 §8.4.3), each naming its SOP Instance UID; printable ASCII only, bounded in number and
    /// length (the Failed SOP Sequence still has every item), with a last one saying how many were left out.
    var longComments: [String] {
        var texts: [String] = []
        var omitted = 0
        let comments =
            outcomes.compactMap { o in o.comment.map { (o.sopInstanceUID, $0) } }
            + (requestFailure.map { [(nil, $0)] } ?? [])
        var total = 0
        for (sop, comment) in comments where comment.unicodeScalars.count > 64 {
            guard texts.count < Self.maxWarnings, total < Self.maxWarningBytes else {
                omitted += 1
                continue
            }
            let subject = sop.flatMap { UIDValidation.isValid($0) ? $0 : nil } ?? "the request"
            var text = String.UnicodeScalarView()
            for scalar in "\(subject): \(comment)".unicodeScalars.prefix(Self.maxWarningLength) {
                text.append((0x20..<0x7F).contains(scalar.value) ? scalar : "?")
            }
            total += text.count
            texts.append(String(text))
        }
        if omitted > 0 { texts.append("\(omitted) more comment(s) left out") }
        return texts
    }

    /// A UID as a path segment of a RetrieveURL, percent-encoded (RFC 3986 §2.1). Stored UIDs are valid
    /// (digits and '.', PS3.5 §9.1), so this changes nothing for them; it keeps any other value one segment.
    static func path(_ uid: String) -> String { PercentEncoding.encode(uid) }

    func dataSet(base: String, requestStudy: String?) -> DataSet {
        var result = DataSet()
        var referenced: [DataSet] = []
        var failed: [DataSet] = []
        for outcome in outcomes {
            var item = DataSet()
            // A UID that breaks PS3.5 §9.1 (a refused instance's) is left out rather than echoed: it may hold
            // anything, a NUL or 10,000 characters; the comment names the attribute.
            if let c = outcome.sopClassUID, UIDValidation.isValid(c) {
                item.set(DataElement.text(Tag.referencedSOPClassUID, .UI, c))
            }
            if let i = outcome.sopInstanceUID, UIDValidation.isValid(i) {
                item.set(DataElement.text(Tag.referencedSOPInstanceUID, .UI, i))
            }
            if let comment = outcome.comment { item.set(Self.comment(comment)) }
            if let failure = outcome.failure {
                item.set(DataElement.unsignedShort(Tag.failureReason, failure.rawValue))
                failed.append(item)
            } else {
                if let category = outcome.category, let sop = outcome.sopInstanceUID {
                    item.set(DataElement.text(Tag.retrieveURL, .UR, "\(base)/\(category.rawValue)/\(Self.path(sop))"))
                } else if let study = outcome.studyUID, let series = outcome.seriesUID,
                    let sop = outcome.sopInstanceUID
                {
                    item.set(
                        DataElement.text(
                            Tag.retrieveURL, .UR,
                            "\(base)/studies/\(Self.path(study))/series/\(Self.path(series))/instances/\(Self.path(sop))"
                        ))
                }
                if let warning = outcome.warning { item.set(DataElement.unsignedShort(Tag.warningReason, warning)) }
                referenced.append(item)
            }
        }
        if let requestFailure {
            var item = DataSet()
            item.set(DataElement.unsignedShort(Tag.failureReason, StoreOutcome.Failure.cannotUnderstand.rawValue))
            item.set(Self.comment(requestFailure))
            failed.append(item)
        }
        let studies = Set(outcomes.compactMap { $0.isStored ? $0.studyUID : nil })
        if let study = requestStudy ?? (studies.count == 1 ? studies.first : nil), storedCount > 0 {
            result.set(DataElement.text(Tag.retrieveURL, .UR, "\(base)/studies/\(Self.path(study))"))
        }
        if !failed.isEmpty { result.set(DataElement(Tag.failedSOPSequence, items: failed)) }
        if !referenced.isEmpty { result.set(DataElement(Tag.referencedSOPSequence, items: referenced)) }
        return result
    }
}
