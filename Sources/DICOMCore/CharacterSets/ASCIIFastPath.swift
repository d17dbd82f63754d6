/// Checks for the common case of values made only of 7-bit bytes, which every DICOM character set except
/// JIS X 0201 Romaji (`ISO_IR 13`) reads as ASCII, so they can be turned into a `String` directly without
/// any table lookup or iconv call.
///
/// The scans test eight bytes at a time.
enum ASCIIFastPath {
    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let escapes: UInt64 = 0x1B1B_1B1B_1B1B_1B1B

    /// Whether every byte is below 0x80.
    @inline(__always) static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { scan($0, rejectingEscape: false) }
    }

    /// Whether every byte is below 0x80 and none is ESC (0x1B), which would start an ISO 2022 escape sequence.
    @inline(__always) static func isASCIIWithoutEscape(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { scan($0, rejectingEscape: true) }
    }

    /// Whether the text is all ASCII (U+0000–U+007F) without ESC.
    @inline(__always) static func isASCIIWithoutEscape(_ text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable({
            scan(UnsafeRawBufferPointer($0), rejectingEscape: true)
        }) {
            return result
        }
        return text.utf8.allSatisfy { $0 < 0x80 && $0 != 0x1B }
    }

    private static func scan(_ bytes: UnsafeRawBufferPointer, rejectingEscape: Bool) -> Bool {
        let count = bytes.count
        var i = 0
        while i + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & highBits != 0 { return false }
            if rejectingEscape {
                // A zero byte in word ^ escapes is an ESC ("has zero byte": exact when no high bit is set).
                let x = word ^ escapes
                if (x &- lowBits) & ~x & highBits != 0 { return false }
            }
            i += 8
        }
        while i < count {
            let byte = bytes[i]
            if byte >= 0x80 || (rejectingEscape && byte == 0x1B) { return false }
            i += 1
        }
        return true
    }

    /// Offset, from the start of `bytes`, of the first byte 0x80 or above.
    static func firstNonASCIIOffset(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.firstIndex(where: { $0 >= 0x80 }).map { $0 - bytes.startIndex }
    }
}
