import AsyncHTTPClient
import Foundation
import NIOCore

/// One entry of a server's change feed (Lantern's `GET /api/changefeed`, in the shape of Microsoft's DICOM
/// service): an instance created, replaced or deleted.
public struct ChangeFeedEntry: Sendable, Hashable, Codable {
    /// The entry's place in the feed, increasing by one per entry.
    public var sequence: Int64
    /// When the change was committed (ISO 8601).
    public var timestamp: String
    /// `create`, `replace` or `delete`.
    public var action: String
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Series Instance UID.
    public var seriesInstanceUID: String
    /// SOP Instance UID.
    public var sopInstanceUID: String

    enum CodingKeys: String, CodingKey {
        case sequence = "Sequence", timestamp = "Timestamp", action = "Action"
        case studyInstanceUID = "StudyInstanceUid", seriesInstanceUID = "SeriesInstanceUid"
        case sopInstanceUID = "SopInstanceUid"
    }
}

extension DICOMwebClient {
    /// The server's origin (scheme, host and port): where the change feed lives, beside the service root.
    var origin: String {
        let root = configuration.serviceRoot
        guard let schemeEnd = root.range(of: "://") else { return root }
        let rest = root[schemeEnd.upperBound...]
        return String(root[..<schemeEnd.upperBound]) + String(rest.prefix(while: { $0 != "/" }))
    }

    /// The change feed entries after `sequence` (0: from the start), at most `limit` (the server caps it).
    public func changes(after sequence: Int64, limit: Int = 200) async throws -> [ChangeFeedEntry] {
        let response = try await send(
            request("\(origin)/api/changefeed?offset=\(sequence)&limit=\(limit)", accept: "application/json"))
        let body = try await response.body.collect(upTo: 16 << 20)
        return try JSONDecoder().decode([ChangeFeedEntry].self, from: Data(body.readableBytesView))
    }

    /// The newest entry of the change feed; `nil` while it is empty.
    public func latestChange() async throws -> ChangeFeedEntry? {
        let response = try await send(
            request("\(origin)/api/changefeed/latest", accept: "application/json"),
            accepting: { (200..<300).contains($0) || $0 == 404 })
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code != 404 else { return nil }
        return try JSONDecoder().decode(ChangeFeedEntry.self, from: Data(body.readableBytesView))
    }
}
