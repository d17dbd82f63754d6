import DICOMweb
import Testing

/// Integers from requests never trap (issue 14): digits only, saturated or refused past the type.
@Suite struct DecimalNumberTests {
    @Test func digits() {
        #expect(DecimalNumber.saturating("0") == 0)
        #expect(DecimalNumber.saturating("0042") == 42)
        #expect(DecimalNumber.saturating("9223372036854775807") == Int.max)
        #expect(DecimalNumber.saturating("9223372036854774808") == 9_223_372_036_854_774_808)
    }

    @Test(arguments: ["", "-1", "+1", " 1", "1 ", "1e3", "0x10", "1.0", "١"])
    func notDigits(text: String) {
        let value: Int? = DecimalNumber.saturating(text)
        #expect(value == nil)
    }

    @Test func saturates() {
        for text in ["9223372036854775808", "18446744073709551616", String(repeating: "9", count: 500)] {
            #expect(DecimalNumber.saturating(text) == Int.max)
        }
        let unsigned: UInt64? = DecimalNumber.saturating("18446744073709551616")
        #expect(unsigned == UInt64.max)
        #expect(DecimalNumber.saturating("99999", ceiling: 100) == 100)
        #expect(DecimalNumber.saturating("100", ceiling: 100) == 100)
    }

    @Test func bounded() {
        #expect(DecimalNumber.bounded("16384", 1...16384) == 16384)
        #expect(DecimalNumber.bounded("16385", 1...16384) == nil)
        #expect(DecimalNumber.bounded("0", 1...16384) == nil)
        #expect(DecimalNumber.bounded("9223372036854775807", 0...Int.max) == Int.max)
        #expect(DecimalNumber.bounded("9223372036854775808", 0...Int.max) == nil)
    }
}
