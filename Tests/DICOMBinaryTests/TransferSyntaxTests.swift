import Testing

@testable import DICOMCore

@Suite struct TransferSyntaxTests {
    @Test func derivesEncodingFromUID() {
        #expect(!TransferSyntax.implicitVRLittleEndian.isExplicitVR)
        #expect(TransferSyntax.explicitVRBigEndian.isBigEndian)
        #expect(TransferSyntax.deflatedExplicitVRLittleEndian.isDeflated)
        #expect(!TransferSyntax.deflatedExplicitVRLittleEndian.isEncapsulated)
        #expect(TransferSyntax(uid: "1.2.840.10008.1.2.4.50").isEncapsulated)
        #expect(TransferSyntax(uid: "1.2.840.10008.1.2.4.50").isExplicitVR)
    }
}
