import DICOMCore
import DICOMweb

/// One record of a flat search: a non-patient instance (PS3.18 §12) or a workitem (PS3.18 §11.9), with its place in
/// storage order and its attributes.
public struct FlatRecord: Sendable {
    /// The record's place in storage order, for keyset paging.
    public var position: Int64
    /// The record's attributes (``AttributeCodec``), undecoded.
    public var attributes: [UInt8]

    /// Creates a record.
    public init(position: Int64, attributes: [UInt8]) {
        self.position = position
        self.attributes = attributes
    }
}

extension QueryService {
    /// Records per batch of a flat search.
    public static let flatBatchSize = 500

    /// The records `query` matches (the flat model of the worklist and the non-patient categories: one level,
    /// no computed attributes), in storage order: the page after `query.offset` of at most `limit`, and how many
    /// more match. `records(after, count)` lists the next records of storage order — the adapter's whole part:
    /// matching is decided here with the shared ``QIDOEvaluator`` (PS3.4 §C.2.2.2), never by an adapter. Records
    /// are read in keyset batches, so a search over many costs bounded memory; the count of further matches
    /// reads them all, as the `Warning` of a partial page needs it (PS3.18 §8.3.4.4).
    public static func search(
        _ query: QIDOFlatQuery, limit: Int,
        records: (_ after: Int64?, _ count: Int) async throws -> [FlatRecord]
    ) async throws -> SearchPage<DataSet> {
        let evaluator = query.evaluator
        var page = SearchPage<DataSet>(offset: max(0, query.offset), limit: max(0, limit))
        var after: Int64?
        while true {
            let batch = try await records(after, flatBatchSize)
            for record in batch {
                let attributes = AttributeCodec.decode(record.attributes)
                if evaluator.matches(attributes) { page.offer { attributes } }
            }
            guard batch.count == flatBatchSize, let last = batch.last else { return page }
            after = last.position
        }
    }
}
