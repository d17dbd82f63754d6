import DICOMBinary
import DICOMCore
import Testing

@Suite("De-identification (PS3.15 Basic Profile) on the event stream")
struct DeidentifierTests {
    static func element(_ tag: UInt32, _ vr: VR, _ text: String) -> ParseEvent {
        var bytes = Array(text.utf8)
        if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
        return .element(
            ElementHeader(tag: Tag(tag), vr: vr, length: .defined(UInt32(bytes.count)), offset: 0, valueOffset: 0),
            bytes)
    }

    static func sequence(_ tag: UInt32) -> ParseEvent {
        .sequenceStart(ElementHeader(tag: Tag(tag), vr: .SQ, length: .undefined, offset: 0, valueOffset: 0))
    }

    @Test("Identifying attributes go at every depth, UIDs map consistently, the method is recorded")
    func profile() throws {
        let study = "1.2.3.4"
        var events: [ParseEvent] = [
            .dataSetStart(.explicitVRLittleEndian),
            Self.element(0x0008_0018, .UI, "1.2.3.4.5"), Self.element(0x0008_0080, .LO, "General Hospital"),
            Self.element(0x0009_0010, .LO, "ACME"), Self.element(0x0009_1001, .LO, "secret"),
            Self.element(0x0010_0010, .PN, "Doe^Jane"), Self.element(0x0010_0020, .LO, "12345"),
            Self.sequence(0x0010_1002), .itemStart(offset: 0, length: .undefined),
            Self.element(0x0010_0020, .LO, "other"), .itemEnd, .sequenceEnd,
            Self.sequence(0x0040_A370), .itemStart(offset: 0, length: .undefined),
            Self.element(0x0020_000D, .UI, study), Self.element(0x0033_0010, .LO, "private in item"), .itemEnd,
            .sequenceEnd,
            Self.element(0x0020_000D, .UI, study), Self.element(0x0028_0010, .US, "\0\u{4}"),
        ]
        events.append(.end)
        var deidentifier = Deidentifier(uidMapper: { "2.25.\($0.count)" })
        let out = try events.flatMap { try deidentifier.consume($0) }
        func values(_ tag: UInt32) -> [String] {
            out.compactMap { event in
                guard case .element(let h, let bytes) = event, h.tag == Tag(tag) else { return nil }
                return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: [" ", "\0"])
            }
        }
        #expect(values(0x0008_0018) == ["2.25.9"])
        #expect(values(0x0008_0080).isEmpty && values(0x0009_1001).isEmpty && values(0x0033_0010).isEmpty)
        #expect(values(0x0010_0010) == ["ANONYMOUS"] && values(0x0010_0020) == [""])
        #expect(!out.contains { if case .sequenceStart(let h) = $0 { h.tag == Tag(0x0010_1002) } else { false } })
        #expect(values(0x0020_000D) == ["2.25.7", "2.25.7"])  // in the item and at the top
        #expect(values(0x0012_0062) == ["YES"])
        #expect(values(0x0012_0063).first?.contains("Basic") == true)
        // The inserted attributes sit in tag order, before (0020,000D).
        let order = out.compactMap { event -> UInt32? in
            if case .element(let h, _) = event { h.tag.rawValue } else { nil }
        }
        #expect(order.firstIndex(of: 0x0012_0062)! < order.lastIndex(of: 0x0020_000D)!)
    }

    @Test("Burned-in annotation is refused")
    func burnedIn() {
        var deidentifier = Deidentifier(uidMapper: { $0 })
        #expect(throws: Deidentifier.Refused.self) {
            _ = try deidentifier.consume(.dataSetStart(.explicitVRLittleEndian))
            _ = try deidentifier.consume(Self.element(0x0028_0301, .CS, "YES"))
        }
    }
}
