import DICOMweb
import Testing

/// ``QIDOEvaluator``: numbers, attribute tags and Sequence Matching (PS3.4 §C.2.2.2.1, §C.2.2.2.6).
@Suite struct QIDOEvaluatorValueTests {
    static func littleEndian(_ values: [UInt64], size: Int) -> [UInt8] {
        values.flatMap { value in (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
    }

    @Test func integerStringsByValue() throws {
        for text in ["7", "007", "+7", " 7 "] {
            #expect(try Stored.matches("SeriesNumber", "7", Stored.dataSet([("SeriesNumber", text)])), "\(text)")
        }
        let stored = Stored.dataSet([("SeriesNumber", "7")])
        #expect(try Stored.matches("SeriesNumber", "+07", stored))
        #expect(try !Stored.matches("SeriesNumber", "8", stored))
        #expect(try !Stored.matches("SeriesNumber", "7", Stored.dataSet([("SeriesNumber", "seven")])))
    }

    @Test func binaryIntegers() throws {
        let rows = DataSet([Stored.binary("Rows", .US, Self.littleEndian([512], size: 2))])
        #expect(try Stored.matches("Rows", "512", rows))
        #expect(try !Stored.matches("Rows", "256", rows))
        // A US-or-SS attribute stored as SS is read as signed.
        let signed = DataSet([Stored.binary("SmallestImagePixelValue", .SS, Self.littleEndian([0xFFFE], size: 2))])
        #expect(try Stored.matches("SmallestImagePixelValue", "-2", signed))
        #expect(try !Stored.matches("SmallestImagePixelValue", "65534", signed))
        let unsigned = DataSet([Stored.binary("SmallestImagePixelValue", .US, Self.littleEndian([0xFFFE], size: 2))])
        #expect(try Stored.matches("SmallestImagePixelValue", "65534", unsigned))
        // Zero-length binary values are empty.
        let empty = DataSet([Stored.binary("Rows", .US, [])])
        #expect(try !Stored.matches("Rows", "0", empty))
        #expect(try Stored.matches([("Rows", "0"), ("emptyvaluematching", "true")], empty))
    }

    @Test func decimalsByValue() throws {
        let stored = Stored.dataSet([("SliceThickness", "2.50")])
        #expect(try Stored.matches("SliceThickness", "2.5", stored))
        #expect(try Stored.matches("SliceThickness", "25e-1", stored))
        #expect(try !Stored.matches("SliceThickness", "2.51", stored))
        // FL values compare in single precision: 0.1 stored as a Float still matches the query 0.1.
        let float = DataSet([
            Stored.binary(
                "ExaminedBodyThickness", .FL, Self.littleEndian([UInt64(Float(0.1).bitPattern)], size: 4))
        ])
        #expect(try Stored.matches("ExaminedBodyThickness", "0.1", float))
        #expect(try !Stored.matches("ExaminedBodyThickness", "0.2", float))
    }

    @Test func attributeTags() throws {
        let stored = DataSet([
            Stored.binary("FrameIncrementPointer", .AT, Self.littleEndian([0x0018, 0x1063, 0x0018, 0x1065], size: 2))
        ])
        #expect(try Stored.matches("FrameIncrementPointer", "00181063", stored))
        #expect(try Stored.matches("FrameIncrementPointer", "00181065", stored))
        #expect(try !Stored.matches("FrameIncrementPointer", "00181066", stored))
    }

    static let requests = Stored.sequence(
        "RequestAttributesSequence",
        [
            Stored.dataSet([("ScheduledProcedureStepID", "SPS1"), ("RequestedProcedureID", "RP1")]),
            Stored.dataSet([("ScheduledProcedureStepID", "SPS2"), ("RequestedProcedureID", "RP2")]),
        ])

    @Test func sequenceKeysMatchWithinOneItem() throws {
        let stored = DataSet([Self.requests])
        let sps = "RequestAttributesSequence.ScheduledProcedureStepID"
        let rp = "RequestAttributesSequence.RequestedProcedureID"
        #expect(try Stored.matches(sps, "SPS2", stored))
        #expect(try Stored.matches([(sps, "SPS1"), (rp, "RP1")], stored))
        #expect(try Stored.matches([(sps, "SPS2"), (rp, "RP*")], stored))
        #expect(try !Stored.matches([(sps, "SPS1"), (rp, "RP2")], stored))
        #expect(try !Stored.matches(sps, "SPS3", stored))
        // A universal key under the sequence adds nothing.
        #expect(try Stored.matches([(sps, "SPS1"), (rp, "")], stored))
        // Absent or empty sequences are empty values.
        for empty in [DataSet(), DataSet([Stored.sequence("RequestAttributesSequence", [])])] {
            #expect(try !Stored.matches(sps, "SPS1", empty))
            #expect(try Stored.matches([(sps, "SPS1"), ("emptyvaluematching", "true")], empty))
        }
        // An item without the attribute is an empty value too.
        let partial = DataSet([
            Stored.sequence("RequestAttributesSequence", [Stored.dataSet([("RequestedProcedureID", "RP1")])])
        ])
        #expect(try !Stored.matches([(sps, "SPS1"), (rp, "RP1")], partial))
        #expect(try Stored.matches([(sps, "SPS1"), (rp, "RP1"), ("emptyvaluematching", "true")], partial))
    }

    @Test func nestedSequencesAndInheritedCharacterSet() throws {
        let code = Stored.dataSet([("CodeValue", "T-1"), ("CodeMeaning", "Skull")])
        var item = Stored.dataSet([("ScheduledProcedureStepID", "SPS1")])
        item.set(Stored.sequence("ScheduledProtocolCodeSequence", [code]))
        // The code item is encoded in Latin-1 and declares nothing: it inherits the top-level character set.
        var latin1Item = DataSet([
            Stored.element("CodeValue", "T-2"),
            Stored.element(
                "CodeMeaning", "Schädel", in: SpecificCharacterSet(encodedValue: Array("ISO_IR 100".utf8))),
        ])
        latin1Item.remove(.specificCharacterSet)
        var second = Stored.dataSet([("ScheduledProcedureStepID", "SPS2")])
        second.set(Stored.sequence("ScheduledProtocolCodeSequence", [latin1Item]))
        var stored = Stored.dataSet([], characterSet: "ISO_IR 100")
        stored.set(Stored.sequence("RequestAttributesSequence", [item, second]))
        let meaning = "RequestAttributesSequence.ScheduledProtocolCodeSequence.CodeMeaning"
        let value = "RequestAttributesSequence.ScheduledProtocolCodeSequence.CodeValue"
        let sps = "RequestAttributesSequence.ScheduledProcedureStepID"
        #expect(try Stored.matches([(meaning, "Schädel"), (value, "T-2"), (sps, "SPS2")], stored))
        #expect(try !Stored.matches([(value, "T-2"), (sps, "SPS1")], stored))
        #expect(try Stored.matches([(value, "T-1"), (sps, "SPS1")], stored))
    }
}
