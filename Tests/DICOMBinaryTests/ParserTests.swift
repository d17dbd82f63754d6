import DICOMBinary
import Testing

/// Little-endian byte assembly for hand-made streams.
struct Bytes {
    var data: [UInt8] = []

    mutating func u16(_ v: UInt16) { data += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) {
        u16(UInt16(v & 0xFFFF))
        u16(UInt16(v >> 16))
    }
    mutating func tag(_ t: UInt32) {
        u16(UInt16(t >> 16))
        u16(UInt16(t & 0xFFFF))
    }
    /// Explicit VR little endian element.
    mutating func explicit(_ t: UInt32, _ vr: String, _ value: [UInt8], length: UInt32? = nil) {
        tag(t)
        data += Array(vr.utf8)
        if ["OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UN", "UT", "UC", "UR", "SV", "UV"].contains(vr) {
            u16(0)
            u32(length ?? UInt32(value.count))
        } else {
            u16(UInt16(length ?? UInt32(value.count)))
        }
        data += value
    }
    /// Implicit VR little endian element.
    mutating func implicit(_ t: UInt32, _ value: [UInt8], length: UInt32? = nil) {
        tag(t)
        u32(length ?? UInt32(value.count))
        data += value
    }
    mutating func item(length: UInt32 = 0xFFFF_FFFF) {
        tag(0xFFFE_E000)
        u32(length)
    }
    mutating func itemEnd() {
        tag(0xFFFE_E00D)
        u32(0)
    }
    mutating func sequenceEnd() {
        tag(0xFFFE_E0DD)
        u32(0)
    }
}

func parse(
    _ bytes: [UInt8], _ ts: TransferSyntax, chunk: Int = 1 << 16, options: ParserOptions = ParserOptions()
)
    throws(DICOMParseError) -> DICOMFile
{
    var o = options
    o.expectPart10Header = false
    o.defaultTransferSyntax = ts
    return try DICOMReader.read(bytes, options: o, chunkSize: chunk)
}

@Suite struct ParserTests {
    @Test func hugeLengthInSmallStreamFailsWithoutAllocating() {
        var b = Bytes()
        b.explicit(0x0010_0010, "PN", Array("A^B ".utf8))
        b.explicit(0x0042_0011, "OB", [UInt8](repeating: 7, count: 1000), length: 0xFFFF_FFF0)
        #expect {
            _ = try parse(b.data, .explicitVRLittleEndian)
        } throws: { error in
            guard let e = error as? DICOMParseError else { return false }
            return e.code == .truncated && e.offset > 0
        }
    }

    @Test func lengthBeyondItsItemNamesTheTagPath() {
        var b = Bytes()
        b.explicit(0x0008_1115, "SQ", [], length: 0xFFFF_FFFF)
        b.item(length: 12)
        b.explicit(0x0008_1150, "UI", Array("1.2.3.4\0".utf8))  // 16 bytes: overruns the 12-byte item
        b.itemEnd()
        b.sequenceEnd()
        #expect {
            _ = try parse(b.data, .explicitVRLittleEndian)
        } throws: { error in
            guard let e = error as? DICOMParseError else { return false }
            return e.code == .badLength && e.path.contains("(0008,1115)[0]") && e.path.contains("(0008,1150)")
        }
    }

    @Test func nestingLimitStopsDeepSequences() {
        var b = Bytes()
        for _ in 0..<100 {
            b.explicit(0x0040_A730, "SQ", [], length: 0xFFFF_FFFF)
            b.item()
        }
        var options = ParserOptions()
        options.maxNestingDepth = 32
        #expect {
            _ = try parse(b.data, .explicitVRLittleEndian, options: options)
        } throws: { ($0 as? DICOMParseError)?.code == .nestingTooDeep }
    }

    @Test func undefinedLengthUNHoldsImplicitItems() throws {
        var inner = Bytes()
        inner.item()
        inner.implicit(0x0008_1150, Array("1.2.3\0".utf8))
        inner.itemEnd()
        inner.sequenceEnd()
        var b = Bytes()
        b.explicit(0x0009_0010, "LO", Array("ACME".utf8))
        b.explicit(0x0009_1001, "UN", inner.data, length: 0xFFFF_FFFF)
        b.explicit(0x0010_0010, "PN", Array("X^Y ".utf8))
        let file = try parse(b.data, .explicitVRLittleEndian)
        let sq = try #require(file.dataSet[Tag(0x0009_1001)])
        #expect(sq.vr == .SQ)
        #expect(sq.value.items?.first?[Tag(0x0008_1150)]?.vr == .UI)
        #expect(file.dataSet[Tag(0x0010_0010)] != nil)
    }

    @Test func implicitVRUsesTheDictionaryAndPixelRepresentation() throws {
        var b = Bytes()
        b.implicit(0x0010_0010, Array("A^B ".utf8))
        b.implicit(0x0028_0103, [1, 0])
        b.implicit(0x0028_0106, [0xFE, 0xFF])  // US or SS: SS because Pixel Representation is 1
        b.implicit(0x0011_1234, [1, 2])  // private, no creator: UN
        let file = try parse(b.data, .implicitVRLittleEndian)
        #expect(file.dataSet[Tag(0x0010_0010)]?.vr == .PN)
        #expect(file.dataSet[Tag(0x0028_0106)]?.vr == .SS)
        #expect(file.dataSet[Tag(0x0011_1234)]?.vr == .UN)
    }

    @Test func bigEndianNumbersAreDeliveredLittleEndian() throws {
        var ds = DataSet()
        ds.set(DataElement(Tag(0x0028_0010), .US, bytes: [0x00, 0x02]))  // 512
        ds.set(DataElement(Tag(0x0018_0050), .DS, bytes: Array("2.5 ".utf8)))
        ds.set(DataElement(Tag(0x0020_0032), .FD, bytes: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]))
        let written = try DICOMWriter.part10(ds, transferSyntax: .explicitVRBigEndian)
        #expect(written.count > 132)
        let file = try DICOMReader.read(written)
        #expect(file.transferSyntax == .explicitVRBigEndian)
        #expect(file.dataSet == ds)
    }

    @Test func deflatedDataSetRoundTrips() throws {
        var ds = DataSet()
        ds.set(DataElement(Tag(0x0010_0010), .PN, bytes: Array("Deflate^Test".utf8)))
        ds.set(DataElement(Tag(0x0042_0011), .OB, bytes: [UInt8](repeating: 0x55, count: 100_000)))
        let written = try DICOMWriter.part10(ds, transferSyntax: .deflatedExplicitVRLittleEndian)
        #expect(written.count < 10_000)
        for chunk in [1, 13, 65_536] {
            let file = try DICOMReader.read(written, chunkSize: chunk)
            #expect(file.dataSet == ds)
        }
    }

    @Test func largeValuesArriveInBoundedChunks() throws {
        var b = Bytes()
        b.explicit(0x0042_0011, "OB", [UInt8](repeating: 9, count: 300_000))
        var options = ParserOptions()
        options.expectPart10Header = false
        options.defaultTransferSyntax = .explicitVRLittleEndian
        options.materializeLimit = 4096
        var parser = StreamParser(options: options)
        parser.append(b.data)
        parser.finish()
        var largest = 0
        var total = 0
        while let event = try parser.next() {
            if case .valueChunk(let c) = event {
                largest = max(largest, c.count)
                total += c.count
            }
            if case .end = event { break }
        }
        #expect(largest <= 4096)
        #expect(total == 300_000)
    }

    @Test func streamWithoutPreambleOrMetaIsReadBestEffort() throws {
        var b = Bytes()
        b.explicit(0x0008_0060, "CS", Array("CT".utf8))
        b.explicit(0x0010_0010, "PN", Array("A^B ".utf8))
        let file = try DICOMReader.read(b.data)
        #expect(file.transferSyntax == .explicitVRLittleEndian)
        #expect(!file.hasPreamble)
        #expect(file.warnings.contains { $0.message.contains("no preamble") })
        #expect(file.dataSet.count == 2)
    }

    @Test func garbageFailsCleanly() {
        #expect(throws: DICOMParseError.self) { _ = try DICOMReader.read(Array("hello, not dicom".utf8)) }
        #expect(throws: DICOMParseError.self) { _ = try DICOMReader.read([]) }
    }
}

@Suite struct Base64Tests {
    @Test func streamingMatchesWholeForEveryChunking() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        let whole = Base64StreamEncoder.encode(bytes)
        for chunk in [1, 2, 3, 4, 5, 7, 64, 999] {
            var encoder = Base64StreamEncoder()
            var out: [UInt8] = []
            var start = 0
            while start < bytes.count {
                encoder.encode(bytes[start..<min(start + chunk, bytes.count)], into: &out)
                start += chunk
            }
            encoder.finish(into: &out)
            #expect(String(decoding: out, as: UTF8.self) == whole, "chunk \(chunk)")
        }
        #expect(Base64Decoder.decode(whole) == bytes)
    }

    @Test func knownVectors() {
        // RFC 4648 §10.
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Base64StreamEncoder.encode(Array(plain.utf8)) == encoded)
            #expect(Base64Decoder.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64Decoder.decode("Zm9v!") == nil)
        #expect(Base64Decoder.decode("Zg==Zg") == nil)
    }
}
