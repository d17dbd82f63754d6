#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an iconv conversion stopped.
struct IconvFailure: Error {
    enum Kind {
        /// The platform's iconv does not know the encoding.
        case unavailable
        /// An invalid or unconvertible input sequence starts at `inputOffset`.
        case invalidSequence
        /// The input ends inside a multi-byte sequence that starts at `inputOffset`.
        case incompleteSequence
    }
    var kind: Kind
    var inputOffset: Int
}

/// An open iconv conversion descriptor, closed when the value goes away.
///
/// An `iconv_t` carries shift state and is not safe to use from two threads at once, so this type is
/// non-copyable and never shared: each conversion opens its own (opening a descriptor for an encoding
/// whose gconv module is already loaded costs about a microsecond with glibc).
struct IconvConverter: ~Copyable {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        private let descriptor: iconv_t

        /// Opens a converter from `source` to `target` (iconv encoding names); `nil` if either is unsupported.
        init?(from source: String, to target: String) {
            guard let cd = iconv_open(target, source), cd != iconv_t(bitPattern: -1) else { return nil }
            descriptor = cd
        }

        deinit { iconv_close(descriptor) }

        /// Returns the descriptor to its initial shift state.
        func reset() {
            _ = iconv(descriptor, nil, nil, nil, nil)
        }

        /// Converts as much of `input` as fits in `output`.
        /// - Returns: bytes consumed, bytes produced and the `errno` value if iconv stopped early.
        func convert(
            _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
        ) -> (consumed: Int, produced: Int, error: Int32?) {
            guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return (0, 0, nil) }
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(
                mutating: inBase.assumingMemoryBound(to: CChar.self))
            var inLeft = input.count
            var outPointer: UnsafeMutablePointer<CChar>? = outBase.assumingMemoryBound(to: CChar.self)
            var outLeft = output.count
            let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
            let failure: Int32? = result == -1 ? errno : nil
            return (input.count - inLeft, output.count - outLeft, failure)
        }
    #else
        init?(from source: String, to target: String) { return nil }
        func reset() {}
        func convert(
            _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
        ) -> (consumed: Int, produced: Int, error: Int32?) { (0, 0, nil) }
    #endif

    /// Converts all of `input`, growing the output as needed.
    func convertAll(_ input: UnsafeRawBufferPointer) throws(IconvFailure) -> [UInt8] {
        if input.isEmpty { return [] }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var consumed = 0
        var produced = 0
        while true {
            let step = output.withUnsafeMutableBytes { out in
                convert(
                    UnsafeRawBufferPointer(rebasing: input[consumed...]),
                    into: UnsafeMutableRawBufferPointer(rebasing: out[produced...]))
            }
            consumed += step.consumed
            produced += step.produced
            guard let error = step.error else { break }
            if error == E2BIG {
                output.append(contentsOf: repeatElement(0, count: output.count))
                continue
            }
            let kind: IconvFailure.Kind = error == EINVAL ? .incompleteSequence : .invalidSequence
            throw IconvFailure(kind: kind, inputOffset: consumed)
        }
        output.removeSubrange(produced...)
        return output
    }
}
