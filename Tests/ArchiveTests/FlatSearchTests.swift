import DICOMCore
import DICOMweb
import Testing

@testable import Archive

/// The flat search of `QueryService` (worklist, non-patient categories): matching in the core, paging across the
/// adapter's keyset batches.
@Suite struct FlatSearchTests {
    /// 1,234 records, every third with Modality CT, positions with gaps.
    static let records: [FlatRecord] = (0..<1_234).map { n in
        let attributes = DataSet([
            .text(Tag.modality, .CS, n % 3 == 0 ? "CT" : "MR"), .text(Tag.sopInstanceUID, .UI, "1.2.\(n)"),
        ])
        return FlatRecord(position: Int64(n * 2 + 5), attributes: AttributeCodec.encode(attributes))
    }

    static func source(_ after: Int64?, _ count: Int) -> [FlatRecord] {
        Array(records.filter { $0.position > (after ?? .min) }.prefix(count))
    }

    static func query(_ items: [(String, String)]) throws -> QIDOFlatQuery {
        try QIDOFlatQuery.parse(queryItems: items)
    }

    @Test("Offset, limit and the count of further matches hold across batches")
    func pagesAcrossBatches() async throws {
        let ct = Self.records.indices.filter { $0 % 3 == 0 }.map { "1.2.\($0)" }
        for (offset, limit) in [(0, 10), (400, 100), (0, 1_000), (410, 5), (500, 10)] {
            let page = try await QueryService.search(
                try Self.query([("Modality", "CT"), ("offset", "\(offset)")]), limit: limit
            ) { after, count in Self.source(after, count) }
            let expected = Array(ct.dropFirst(offset).prefix(limit))
            #expect(page.matches.map { $0.string(Tag.sopInstanceUID) ?? "" } == expected)
            #expect(page.remaining == max(0, ct.count - offset - expected.count))
        }
    }

    @Test("Reads in bounded batches, each after the last position seen")
    func keysetBatches() async throws {
        let calls = Calls()
        _ = try await QueryService.search(try Self.query([]), limit: 3) { after, count in
            await calls.record(after, count)
            return Self.source(after, count)
        }
        let seen = await calls.list
        #expect(seen.count == 3)
        #expect(seen.allSatisfy { $0.count == QueryService.flatBatchSize })
        #expect(seen.map(\.after) == [nil, Self.records[499].position, Self.records[999].position])
    }

    actor Calls {
        var list: [(after: Int64?, count: Int)] = []
        func record(_ after: Int64?, _ count: Int) { list.append((after, count)) }
    }
}
