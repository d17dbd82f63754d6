import Testing

@testable import DICOMImaging

/// Segmented palette colour LUTs (PS3.3 §C.7.9.2), expanded as pydicom's `_expand_segmented_lut` does (the
/// expected tables are its output).
@Suite struct SegmentedLUTTests {
    @Test func discreteLinearAndIndirectSegments() {
        // A: discrete [10]; B: linear to 20 over 3; C: discrete [5, 6]; D: indirect, two segments at word 0.
        let words = [0, 1, 10, 1, 3, 20, 0, 2, 5, 6, 2, 2, 0, 0]
        #expect(SegmentedLUT.expand(words) == [10, 13, 17, 20, 5, 6, 10, 13, 17, 20])
    }

    @Test func linearSegmentsRoundHalfToEven() {
        #expect(SegmentedLUT.expand([0, 1, 0, 1, 4, 5, 1, 2, 0]) == [0, 1, 2, 4, 5, 2, 0])
        #expect(SegmentedLUT.expand([0, 1, 7, 1, 3, 7]) == [7, 7, 7, 7])
    }

    @Test func aTrailingPaddingWordIsIgnored() {
        #expect(SegmentedLUT.expand([0, 2, 1, 2, 0]) == [1, 2])
    }

    @Test func tablesThatCannotBeExpanded() {
        #expect(SegmentedLUT.expand([1, 4, 5]) == nil)  // linear first: no previous value
        #expect(SegmentedLUT.expand([2, 1, 0, 0]) == nil)  // indirect first
        #expect(SegmentedLUT.expand([0, 1, 3, 7, 1, 0]) == nil)  // unknown opcode
        #expect(SegmentedLUT.expand([0, 5, 1, 2]) == nil)  // a discrete segment past the end
        #expect(SegmentedLUT.expand([0, 1, 3, 2, 1, 0xFFFF, 0x7FFF]) == nil)  // an offset outside the data
        #expect(SegmentedLUT.expand([]) == nil)
    }

    @Test func selfReferencingIndirectionsStop() {
        // An indirect segment pointing at itself recurses until the nesting limit: refused, never a hang.
        #expect(SegmentedLUT.expand([0, 1, 3, 2, 1, 3, 0]) == nil)
    }

    @Test func expansionStopsAtTheLargestTable() {
        var words: [Int] = [0, 1, 0]
        for _ in 0..<10 { words += [1, 65535, 65535] }
        #expect(SegmentedLUT.expand(words)?.count == SegmentedLUT.maximumEntries)
    }

    @Test func entriesOfEightAndSixteenBitTables() {
        #expect(SegmentedLUT.entries([1, 2, 3], bits: 8) == [1, 2, 3])
        #expect(SegmentedLUT.entries([1, 2, 3, 4, 5], bits: 16) == [0x0201, 0x0403])
    }
}
