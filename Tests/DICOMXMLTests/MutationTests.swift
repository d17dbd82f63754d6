import DICOMXML
import Testing

/// The decoder ends in a value or an error for damaged documents (the fuzz target explores further): a
/// fixed-seed run of byte flips, truncations, insertions and splices over a document holding every kind of
/// element. Whatever decodes must encode again.
@Suite struct MutationTests {
    /// SplitMix64, so every run tries the same inputs.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seed: [UInt8] = {
        let item = DataSet([text(0x0008_0100, .SH, "T-1"), text(0x0009_0010, .LO, "ACME"), text(0x0009_1001, .LO, "p")])
        let ds = DataSet([
            text(0x0008_0005, .CS, "ISO_IR 192"), text(0x0008_0008, .CS, "A\\\\C"),
            text(0x0010_0010, .PN, "Yamada^Tarou=山田^太郎=やまだ^たろう"), words(0x0028_0010, .US, [UInt16(512)]),
            words(0x0072_0026, .AT, [UInt16(0x0010), 0x0010]), text(0x0008_0080, .LT, "a\r\nb & <c>"),
            DataElement(Tag(0x0008_1115), items: [item, DataSet()]),
            DataElement(
                tag: .pixelData, vr: .OB,
                value: .encapsulated(EncapsulatedPixelData(fragments: [[1, 2, 3, 4], [5, 6]]))),
        ])
        return Array(xml(ds, pretty: true).utf8)
    }()

    @Test func mutatedDocumentsNeverCrash() {
        var random = Generator(state: 0x5EED)
        let tokens = [
            "<", ">", "&", "&#x0;", "&lt;", "/>", "</Item>", "<Item number=\"9\">", "\"", "]]>", "<!--", "\u{0}",
        ]
        var decoded = 0
        for _ in 0..<4000 {
            var bytes = Self.seed
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: bytes[at] ^= UInt8.random(in: 1...255, using: &random)
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &random)))
                case 2: bytes.insert(contentsOf: tokens.randomElement(using: &random)!.utf8, at: at)
                case 3: bytes = Array(bytes[..<at])
                default:
                    let from = Int.random(in: 0..<Self.seed.count, using: &random)
                    let piece = Self.seed[from..<min(Self.seed.count, from + Int.random(in: 1...200, using: &random))]
                    bytes.insert(contentsOf: piece, at: at)
                }
                if bytes.isEmpty { bytes = [0x3C] }
            }
            if let dataSet = try? NativeXMLDecoder.decode(bytes) {
                decoded += 1
                _ = NativeXMLEncoder.encode(dataSet)
            }
        }
        #expect(decoded > 0)
    }
}
