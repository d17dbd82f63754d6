/// The parser's window on the stream: unread bytes plus the absolute offset of the first one.
struct InputBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var start = 0
    /// Absolute stream offset of `bytes[start]`.
    private(set) var position: UInt64 = 0

    /// Bytes still to drop from future input (see ``skipAhead(_:)``).
    private(set) var pendingDiscard: UInt64 = 0

    var available: Int { bytes.count - start }

    mutating func append<C: Collection>(_ more: C) where C.Element == UInt8 {
        if pendingDiscard > 0 {
            let dropped = Int(min(UInt64(more.count), pendingDiscard))
            pendingDiscard -= UInt64(dropped)
            if dropped == more.count { return }
            compactIfUseful()
            bytes.append(contentsOf: more.dropFirst(dropped))
            return
        }
        compactIfUseful()
        bytes.append(contentsOf: more)
    }

    /// Skips `n` bytes, of which those not yet appended are dropped as they arrive, never stored.
    mutating func skipAhead(_ n: UInt64) {
        let now = Int(min(UInt64(available), n))
        start += now
        position += n
        pendingDiscard += n - UInt64(now)
    }

    /// Gives the internal array to a closure that appends to it (used by the inflater).
    mutating func withAppendableStorage<R>(
        _ body: (inout [UInt8]) throws(DICOMParseError) -> R
    )
        throws(DICOMParseError) -> R
    {
        compactIfUseful()
        return try body(&bytes)
    }

    private mutating func compactIfUseful() {
        if start > 0 && (start == bytes.count || start >= 65_536 && start >= bytes.count / 2) {
            bytes.removeFirst(start)
            start = 0
        }
    }

    @inline(__always) func byte(_ i: Int) -> UInt8 { bytes[start + i] }

    @inline(__always) func u16(_ i: Int, bigEndian: Bool) -> UInt16 {
        let a = UInt16(bytes[start + i])
        let b = UInt16(bytes[start + i + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    @inline(__always) func u32(_ i: Int, bigEndian: Bool) -> UInt32 {
        let a = UInt32(bytes[start + i])
        let b = UInt32(bytes[start + i + 1])
        let c = UInt32(bytes[start + i + 2])
        let d = UInt32(bytes[start + i + 3])
        return bigEndian ? a << 24 | b << 16 | c << 8 | d : d << 24 | c << 16 | b << 8 | a
    }

    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> {
        bytes[(start + range.lowerBound)..<(start + range.upperBound)]
    }

    mutating func skip(_ n: Int) {
        start += n
        position += UInt64(n)
    }

    mutating func take(_ n: Int) -> [UInt8] {
        let out = Array(bytes[start..<(start + n)])
        skip(n)
        return out
    }

    /// Removes and returns every unread byte when switching to deflated input, without counting them in
    /// ``position``: offsets go on counting the inflated bytes, whatever part of the compressed stream had
    /// arrived at the switch (so they do not depend on how the input was chunked).
    mutating func takeAllForInflater() -> [UInt8] {
        let out = Array(bytes[start...])
        start = bytes.count
        return out
    }
}
