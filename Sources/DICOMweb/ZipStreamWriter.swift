import CZlib

/// Writes an `application/zip` body entry by entry (PS3.18 §8.7.3.1, Supplement 211 "zip" retrieval), so an
/// archive of any size streams without being held: stored (uncompressed) entries, sizes and CRC-32 in a data
/// descriptor after each entry's bytes, and ZIP64 records throughout (APPNOTE 6.3.x §4.3.9, §4.4, §4.5.3), so
/// entries and archives may exceed 4 GiB.
///
///     var zip = ZipStreamWriter()
///     send(zip.beginEntry(name: "a.dcm"))
///     for chunk in content { zip.update(chunk); send(chunk) }
///     send(zip.endEntry())
///     send(zip.finish())
public struct ZipStreamWriter: Sendable {
    private struct Entry: Sendable {
        var name: [UInt8]
        var offset: UInt64
        var crc: UInt32
        var size: UInt64
    }

    private var entries: [Entry] = []
    private var offset: UInt64 = 0
    private var crc: UInt32 = 0
    private var size: UInt64 = 0
    private var current: [UInt8]?

    /// Creates a writer.
    public init() {}

    private static func put16(_ v: UInt16, _ out: inout [UInt8]) {
        out += [UInt8(v & 0xFF), UInt8(v >> 8)]
    }

    private static func put32(_ v: UInt32, _ out: inout [UInt8]) {
        put16(UInt16(v & 0xFFFF), &out)
        put16(UInt16(v >> 16), &out)
    }

    private static func put64(_ v: UInt64, _ out: inout [UInt8]) {
        put32(UInt32(v & 0xFFFF_FFFF), &out)
        put32(UInt32(v >> 32), &out)
    }

    /// The local header of the next entry; `name` is its path inside the archive (UTF-8).
    public mutating func beginEntry(name: String) -> [UInt8] {
        precondition(current == nil, "endEntry() first")
        let nameBytes = Array(name.utf8)
        current = nameBytes
        crc = UInt32(crc32(0, nil, 0))
        size = 0
        var out: [UInt8] = []
        Self.put32(0x0403_4B50, &out)
        Self.put16(45, &out)  // version needed: ZIP64
        Self.put16(0x0808, &out)  // data descriptor follows; names are UTF-8
        Self.put16(0, &out)  // stored
        Self.put16(0, &out)  // time
        Self.put16(0x21, &out)  // date: 1980-01-01
        Self.put32(0, &out)  // CRC in the descriptor
        Self.put32(0xFFFF_FFFF, &out)
        Self.put32(0xFFFF_FFFF, &out)
        Self.put16(UInt16(nameBytes.count), &out)
        Self.put16(20, &out)
        out += nameBytes
        // ZIP64 extra field: sizes known only in the descriptor.
        Self.put16(0x0001, &out)
        Self.put16(16, &out)
        Self.put64(0, &out)
        Self.put64(0, &out)
        entries.append(Entry(name: nameBytes, offset: offset, crc: 0, size: 0))
        offset += UInt64(out.count)
        return out
    }

    /// Accounts for content bytes of the current entry (the caller sends them itself).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        var pointer = base.assumingMemoryBound(to: UInt8.self)
        while remaining > 0 {
            let n = min(remaining, Int(UInt32.max))
            crc = UInt32(crc32(UInt(crc), pointer, UInt32(n)))
            pointer += n
            remaining -= n
        }
        size += UInt64(bytes.count)
        offset += UInt64(bytes.count)
    }

    /// Accounts for content bytes of the current entry.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The data descriptor that ends the current entry.
    public mutating func endEntry() -> [UInt8] {
        precondition(current != nil, "beginEntry(name:) first")
        current = nil
        entries[entries.count - 1].crc = crc
        entries[entries.count - 1].size = size
        var out: [UInt8] = []
        Self.put32(0x0807_4B50, &out)
        Self.put32(crc, &out)
        Self.put64(size, &out)
        Self.put64(size, &out)
        offset += UInt64(out.count)
        return out
    }

    /// The central directory and the end records.
    public func finish() -> [UInt8] {
        var out: [UInt8] = []
        let directoryStart = offset
        for entry in entries {
            Self.put32(0x0201_4B50, &out)
            Self.put16(45, &out)
            Self.put16(45, &out)
            Self.put16(0x0808, &out)
            Self.put16(0, &out)
            Self.put16(0, &out)
            Self.put16(0x21, &out)
            Self.put32(entry.crc, &out)
            Self.put32(0xFFFF_FFFF, &out)
            Self.put32(0xFFFF_FFFF, &out)
            Self.put16(UInt16(entry.name.count), &out)
            Self.put16(28, &out)  // extra: ZIP64 with sizes and offset
            Self.put16(0, &out)
            Self.put16(0, &out)
            Self.put16(0, &out)
            Self.put32(0, &out)
            Self.put32(0xFFFF_FFFF, &out)
            out += entry.name
            Self.put16(0x0001, &out)
            Self.put16(24, &out)
            Self.put64(entry.size, &out)
            Self.put64(entry.size, &out)
            Self.put64(entry.offset, &out)
        }
        let directorySize = UInt64(out.count)
        let zip64End = directoryStart + directorySize
        Self.put32(0x0606_4B50, &out)
        Self.put64(44, &out)
        Self.put16(45, &out)
        Self.put16(45, &out)
        Self.put32(0, &out)
        Self.put32(0, &out)
        Self.put64(UInt64(entries.count), &out)
        Self.put64(UInt64(entries.count), &out)
        Self.put64(directorySize, &out)
        Self.put64(directoryStart, &out)
        Self.put32(0x0706_4B50, &out)
        Self.put32(0, &out)
        Self.put64(zip64End, &out)
        Self.put32(1, &out)
        Self.put32(0x0605_4B50, &out)
        Self.put16(0, &out)
        Self.put16(0, &out)
        Self.put16(0xFFFF, &out)
        Self.put16(0xFFFF, &out)
        Self.put32(0xFFFF_FFFF, &out)
        Self.put32(0xFFFF_FFFF, &out)
        Self.put16(0, &out)
        return out
    }
}
