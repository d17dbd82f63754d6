import DICOMweb
import Testing

@Suite struct ContentNegotiationTests {
    static let explicitLE = "1.2.840.10008.1.2.1"
    static let jpegBaseline = "1.2.840.10008.1.2.4.50"
    static let jpeg2000 = "1.2.840.10008.1.2.4.90"

    /// A WADO-RS instance resource stored as JPEG 2000 that can also be sent decompressed.
    static let instanceOffers = [
        Representation(MediaType.multipartRelated(type: .dicom), transferSyntaxes: [jpeg2000, explicitLE]),
        Representation(MediaType.multipartRelated(type: .octetStream), transferSyntaxes: [explicitLE]),
        Representation(.dicomJSON),
    ]

    @Test func parsesSeveralLinesQualitiesAndSkipsMalformedRanges() {
        let accept = AcceptHeader(fieldValues: [
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "bad range, image/*;q=0.5;q=2, */json",
            "image/png;q=0",
        ])
        #expect(accept.skippedCount == 3)
        #expect(
            accept.ranges.map(\.description) == [
                "text/html", "application/xhtml+xml", "application/xml; q=0.9", "*/*; q=0.8", "image/png; q=0",
            ])
        #expect(accept.acceptable.count == 4)
        #expect(AcceptHeader("").ranges.isEmpty)
    }

    @Test func ordersByQualityThenSpecificity() {
        let accept = AcceptHeader(
            "*/*, application/*, application/dicom+json, multipart/related; type=\"application/dicom\"")
        #expect(
            accept.ranges.map(\.mediaType.essence) == [
                "multipart/related", "application/dicom+json", "application/*", "*/*",
            ])
    }

    @Test func ohifOctetStreamWithAnyTransferSyntax() throws {
        let accept = AcceptHeader("multipart/related; type=application/octet-stream; transfer-syntax=*")
        #expect(accept.skippedCount == 0)
        let chosen = try ContentNegotiation.negotiate(accept, offers: Self.instanceOffers)
        #expect(chosen.offerIndex == 1)
        #expect(chosen.transferSyntax == Self.explicitLE)
        #expect(
            chosen.mediaType.description
                == #"multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.1"#)
    }

    @Test func dicomwebClientNamesATransferSyntax() throws {
        let accept = AcceptHeader(#"multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1"#)
        let chosen = try ContentNegotiation.negotiate(accept, offers: Self.instanceOffers)
        #expect(chosen.offerIndex == 0)
        #expect(chosen.transferSyntax == Self.explicitLE)
    }

    @Test func anyTransferSyntaxTakesTheServersFirstAndAbsentTakesTheDefault() throws {
        let any = try ContentNegotiation.negotiate(
            AcceptHeader(#"multipart/related; type="application/dicom"; transfer-syntax=*"#),
            offers: Self.instanceOffers)
        #expect(any.transferSyntax == Self.jpeg2000)
        let absent = try ContentNegotiation.negotiate(
            AcceptHeader(#"multipart/related; type="Application/DICOM""#), offers: Self.instanceOffers)
        #expect(absent.transferSyntax == Self.explicitLE)
    }

    @Test func browserHeaderFallsBackToWildcard() throws {
        let accept = AcceptHeader("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8")
        let chosen = try ContentNegotiation.negotiate(accept, offers: [Representation(.dicomJSON)])
        #expect(chosen.mediaType == .dicomJSON)
        #expect(chosen.quality == 800)
        let html = try ContentNegotiation.negotiate(
            accept, offers: [Representation(.dicomJSON), Representation(.html)])
        #expect(html.mediaType == .html)
    }

    @Test func jsonOrXMLMetadata() throws {
        let accept = AcceptHeader(#"application/dicom+json, multipart/related; type="application/dicom+xml""#)
        let xmlOnly = [Representation(MediaType.multipartRelated(type: .dicomXML))]
        #expect(try ContentNegotiation.negotiate(accept, offers: xmlOnly).offerIndex == 0)
        let both = xmlOnly + [Representation(.dicomJSON)]
        // Same weight; the multipart range is more specific (it has a parameter).
        #expect(try ContentNegotiation.negotiate(accept, offers: both).mediaType.essence == "multipart/related")
        #expect(try ContentNegotiation.negotiate(AcceptHeader("application/dicom+json"), offers: both).offerIndex == 1)
    }

    @Test func zeroQualityExcludes() throws {
        let accept = AcceptHeader("*/*, application/dicom+json;q=0")
        let chosen = try ContentNegotiation.negotiate(
            accept, offers: [Representation(.dicomJSON), Representation(.dicomXML)])
        #expect(chosen.mediaType == .dicomXML)
        #expect(throws: NotAcceptable.self) {
            try ContentNegotiation.negotiate(accept, offers: [Representation(.dicomJSON)])
        }
    }

    @Test func higherWeightWinsOverServerOrder() throws {
        let accept = AcceptHeader("application/dicom+json;q=0.5, application/dicom+xml")
        let chosen = try ContentNegotiation.negotiate(
            accept, offers: [Representation(.dicomJSON), Representation(.dicomXML)])
        #expect(chosen.mediaType == .dicomXML)
    }

    @Test func missingOrAllMalformedHeaderMeansAnything() throws {
        #expect(
            try ContentNegotiation.negotiate(AcceptHeader(""), offers: Self.instanceOffers).transferSyntax
                == Self.explicitLE)
        #expect(
            try ContentNegotiation.negotiate(AcceptHeader("garbage"), offers: [Representation(.dicomJSON)]).offerIndex
                == 0)
    }

    @Test func everythingRefused() {
        #expect(throws: NotAcceptable.self) {
            try ContentNegotiation.negotiate(AcceptHeader("*/*;q=0"), offers: [Representation(.dicomJSON)])
        }
        let reason = NotAcceptable(accepted: [], offered: [Representation(.dicomJSON)]).description
        #expect(
            reason == "None of the acceptable media types (none) can be produced. Available: application/dicom+json.")
    }

    @Test func notAcceptableListsWhatIsOffered() {
        let accept = AcceptHeader(
            #"multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50"#)
        do {
            _ = try ContentNegotiation.negotiate(accept, offers: Self.instanceOffers)
            Issue.record("expected 406")
        } catch {
            let text = error.description
            #expect(text.contains("transfer-syntax=1.2.840.10008.1.2.4.50"))
            #expect(
                text.contains(
                    #"multipart/related; type="application/dicom" (transfer-syntax: 1.2.840.10008.1.2.4.90, 1.2.840.10008.1.2.1)"#
                ))
            #expect(text.contains("application/dicom+json"))
        }
    }
}
