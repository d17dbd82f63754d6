import Testing

@testable import Archive

/// The one-file metadata sidecar: both documents come back as written; anything else is refused.
@Suite struct MetadataSidecarTests {
    @Test func roundTrip() {
        let json = Array("[{\"00080018\":{\"vr\":\"UI\"}}]".utf8)
        let xml = Array("<NativeDicomModel/>".utf8)
        let sidecar = MetadataSidecar.encode(json: json, xml: xml)
        #expect(MetadataSidecar.document(.json, in: sidecar) == json)
        #expect(MetadataSidecar.document(.xml, in: sidecar) == xml)
    }

    @Test func malformedSidecarsAreRefused() {
        let sidecar = MetadataSidecar.encode(json: Array("{}".utf8), xml: Array("<x/>".utf8))
        #expect(MetadataSidecar.document(.json, in: []) == nil)
        #expect(MetadataSidecar.document(.json, in: Array(sidecar.prefix(10))) == nil, "cut in the header")
        #expect(MetadataSidecar.document(.json, in: Array(sidecar.prefix(17))) == nil, "cut in the JSON")
        #expect(MetadataSidecar.document(.xml, in: Array(sidecar.prefix(18))) == nil, "XML missing")
        var otherVersion = sidecar
        otherVersion[4] = 2
        #expect(MetadataSidecar.document(.json, in: otherVersion) == nil)
        var otherMagic = sidecar
        otherMagic[0] = 0
        #expect(MetadataSidecar.document(.xml, in: otherMagic) == nil)
    }
}
