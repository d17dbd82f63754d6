import Archive
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The change feed (issue 21), for systems downstream of the archive (AI pipelines, research copies), in the
/// shape of Microsoft's DICOM service: `GET /api/changefeed?offset=&limit=` lists the entries after sequence
/// `offset` (0: from the start), at most `limit` (1 to 200, default 10), in order; `GET /api/changefeed/latest` the
/// newest (404 while the feed is empty). Each entry: `Sequence`, `Timestamp` (ISO 8601, UTC), `Action` (`create`,
/// `replace`, `delete`), `StudyInstanceUid`, `SeriesInstanceUid`, `SopInstanceUid`. Needs the `read` permission.
/// Entries are written by the index in the transaction of each change, so a reader that keeps the last
/// `Sequence` it saw misses nothing, across restarts and nodes.
struct ChangeFeedController {
    let index: any IndexStore

    static let maximumLimit = 200

    func register(on router: Router<LanternRequestContext>) {
        router.get("api/changefeed") { request, context in
            try Authorization.require(.read, context.identity)
            let offset = try Self.integer(request, "offset", default: 0, range: 0...Int64.max)
            let limit = try Self.integer(request, "limit", default: 10, range: 1...Int64(Self.maximumLimit))
            return JSONResponse.make(try await index.changes(after: offset, limit: Int(limit)).map(Self.entry))
        }
        router.get("api/changefeed/latest") { _, context in
            try Authorization.require(.read, context.identity)
            guard let latest = try await index.latestChange() else {
                throw DICOMwebError(.notFound, "the change feed is empty")
            }
            return JSONResponse.make(Self.entry(latest))
        }
    }

    static func integer(
        _ request: Request, _ name: String, default value: Int64, range: ClosedRange<Int64>
    ) throws
        -> Int64
    {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let parsed = Int64(text), range.contains(parsed) else {
            throw DICOMwebError(
                .badRequest, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return parsed
    }

    static func entry(_ change: ChangeRecord) -> [String: Any] {
        [
            "Sequence": change.sequence,
            "Timestamp": Date(timeIntervalSince1970: Double(change.timestamp)).formatted(.iso8601),
            "Action": change.action.rawValue, "StudyInstanceUid": change.studyUID,
            "SeriesInstanceUid": change.seriesUID, "SopInstanceUid": change.sopInstanceUID,
        ]
    }
}
