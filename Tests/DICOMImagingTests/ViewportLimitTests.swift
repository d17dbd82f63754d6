import Testing

@testable import DICOMImaging

/// `max-rendered-pixels` (issue 14): the bound is on the image a viewport makes, checked before any pixel is
/// scaled.
@Suite struct ViewportLimitTests {
    static let image = RenderedImage(
        width: 128, height: 128, channels: 1, pixels: [UInt8](repeating: 7, count: 128 * 128))

    @Test func refusedPastTheLimit() {
        var viewport = Viewport(width: 16384, height: 16384)
        viewport.maximumPixels = 4096
        #expect(throws: CodecError.self) { try viewport.apply(to: Self.image) }
        viewport.width = 65
        viewport.height = 65
        #expect(throws: CodecError.self) { try viewport.apply(to: Self.image) }
    }

    @Test func theImageMadeCountsNotTheViewport() throws {
        var viewport = Viewport(width: 16384, height: 16)
        viewport.maximumPixels = 4096
        let made = try viewport.apply(to: Self.image)
        #expect(made.width == 16 && made.height == 16)
        viewport = Viewport(width: 64, height: 64)
        viewport.maximumPixels = 4096
        #expect(try viewport.apply(to: Self.image).width == 64)
    }

    @Test func noLimitByDefault() throws {
        #expect(try Viewport(width: 256, height: 256).apply(to: Self.image).width == 256)
    }
}
