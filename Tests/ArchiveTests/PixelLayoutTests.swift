import Testing

@testable import Archive

@Suite struct PixelLayoutTests {
    @Test func nativeFramesAreConsecutive() {
        let layout = PixelLayout.native(offset: 1000, frameLength: 512, frames: 3)
        #expect(layout.ranges(ofFrame: 1) == [ByteRange(offset: 1000, length: 512)])
        #expect(layout.ranges(ofFrame: 3) == [ByteRange(offset: 2024, length: 512)])
        #expect(layout.ranges(ofFrame: 0) == nil)
        #expect(layout.ranges(ofFrame: 4) == nil)
    }

    @Test func encodingRoundTrips() {
        let layouts: [PixelLayout] = [
            .native(offset: 1 << 33, frameLength: 1 << 20, frames: 4096),
            .encapsulated(frames: [
                [ByteRange(offset: 10, length: 20)],
                [ByteRange(offset: 40, length: 8), ByteRange(offset: 56, length: 2)],
            ]),
            .encapsulated(frames: []),
        ]
        for layout in layouts { #expect(PixelLayout(encoded: layout.encoded) == layout) }
        #expect(PixelLayout(encoded: [1, 2, 3]) == nil)
        #expect(PixelLayout(encoded: []) == nil)
    }
}

@Suite struct FrameMapperTests {
    let fragments = (0..<4).map { ByteRange(offset: UInt64(100 + $0 * 20), length: 12) }

    @Test func oneFragmentPerFrame() {
        #expect(
            FrameMapper.frames(fragments: fragments, basicOffsetTable: [], frameCount: 4, firstItemOffset: 92)
                == fragments.map { [$0] })
    }

    @Test func singleFrameTakesEveryFragment() {
        #expect(
            FrameMapper.frames(fragments: fragments, basicOffsetTable: [], frameCount: 1, firstItemOffset: 92)
                == [fragments])
    }

    @Test func basicOffsetTableGroupsFragments() {
        // Two frames: fragments 0-2 and 3; offsets count from the first item tag (at 92).
        let table: [UInt8] = [0, 0, 0, 0, 60, 0, 0, 0]
        let frames = FrameMapper.frames(
            fragments: fragments, basicOffsetTable: table, frameCount: 2, firstItemOffset: 92)
        #expect(frames == [Array(fragments[0..<3]), [fragments[3]]])
    }

    @Test func evenSplitWithoutTable() {
        #expect(
            FrameMapper.frames(fragments: fragments, basicOffsetTable: [], frameCount: 2, firstItemOffset: 92)
                == [Array(fragments[0..<2]), Array(fragments[2..<4])])
    }
}
