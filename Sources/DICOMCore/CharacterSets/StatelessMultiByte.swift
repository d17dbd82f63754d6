/// The multi-byte character sets used without code extensions (PS3.3 Table C.12-5): `ISO_IR 192`
/// (UTF-8), `GB18030` and `GBK`. Values are decoded whole: these encodings have no shift state, and a byte
/// 0x5C (or 0x5E) inside a GB18030/GBK character is part of the character, so nothing is split.
enum StatelessMultiByte {
    /// Validates UTF-8 (Unicode §3.9, Table 3-7: no overlong forms, surrogates or values above U+10FFFF).
    static func decodeUTF8(_ bytes: ArraySlice<UInt8>, term: String) throws(CharacterSetError) -> String {
        if let offset = firstInvalidUTF8Offset(bytes) {
            throw CharacterSetError(term: term, byteOffset: offset, message: "invalid UTF-8 sequence")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Offset of the first byte of the first ill-formed UTF-8 sequence.
    static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            var i = 0
            let count = buffer.count
            while i < count {
                let lead = buffer[i]
                if lead < 0x80 {
                    i += 1
                    continue
                }
                let length: Int
                var secondRange: ClosedRange<UInt8> = 0x80...0xBF
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: (length, secondRange) = (3, 0x80...0x9F)
                case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
                case 0xF1...0xF3: length = 4
                case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
                default: return i
                }
                guard i + length <= count, secondRange.contains(buffer[i + 1]) else { return i }
                for k in 2..<length where !(0x80...0xBF).contains(buffer[i + k]) { return i }
                i += length
            }
            return nil
        }
    }

    /// Decodes GB18030 or GBK through iconv.
    static func decode(
        _ bytes: ArraySlice<UInt8>, iconvName: String, term: String
    ) throws(CharacterSetError) -> String {
        guard let converter = IconvConverter(from: iconvName, to: "UTF-8") else {
            throw CharacterSetError(term: term, byteOffset: 0, message: "the platform's iconv lacks \(iconvName)")
        }
        let result = bytes.withUnsafeBytes { input in
            Result { () throws(IconvFailure) -> [UInt8] in try converter.convertAll(input) }
        }
        switch result {
        case .success(let utf8):
            return String(decoding: utf8, as: UTF8.self)
        case .failure(let failure):
            let message =
                failure.kind == .incompleteSequence
                ? "value ends inside a multi-byte character" : "invalid byte sequence"
            throw CharacterSetError(term: term, byteOffset: failure.inputOffset, message: message)
        }
    }

    /// Encodes text as GB18030 or GBK through iconv (never transliterating).
    static func encode(_ text: String, iconvName: String, term: String) throws(CharacterSetError) -> [UInt8] {
        guard let converter = IconvConverter(from: "UTF-8", to: iconvName) else {
            throw CharacterSetError(term: term, message: "the platform's iconv lacks \(iconvName)")
        }
        var utf8 = Array(text.utf8)
        let result = utf8.withUnsafeBytes { input in
            Result { () throws(IconvFailure) -> [UInt8] in try converter.convertAll(input) }
        }
        switch result {
        case .success(let encoded):
            return encoded
        case .failure(let failure):
            // Report the character that starts where iconv stopped, and its position in characters.
            utf8.removeSubrange(failure.inputOffset...)
            let position = String(decoding: utf8, as: UTF8.self).unicodeScalars.count
            let rest = text.utf8.dropFirst(failure.inputOffset)
            let scalar = String(decoding: rest, as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
            throw CharacterSetError(
                term: term, message: "\(describe(scalar)) at character \(position) is not in \(term)")
        }
    }
}
