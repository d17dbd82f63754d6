import DICOMCore
import DICOMImaging
import DICOMweb

/// What a frames, pixel data or bulk data retrieve selects of one instance (PS3.18 §10.4.1.1.6–7, CP 2040):
/// the stored byte ranges of each part, in order, and how they may be sent.
public struct BulkSelection: Sendable, Hashable {
    /// The stored byte ranges of each part: one entry per frame, or a single value.
    public var parts: [[ByteRange]]
    /// The path of each part below its instance (`frames/3`), for `Content-Location`; nil when the parts
    /// are not addressed one by one.
    public var locations: [String]?
    /// A value other than the top-level Pixel Data: never decoded, sent as Explicit VR Little Endian.
    public var plainBulk = false
    /// Frames that are only ever sent as stored (an icon image nested in a sequence: its geometry is not the
    /// instance's).
    public var asStored = false
    /// The byte swap of a big endian value (PS3.18 §8.7.3.4), nil when none is needed.
    public var swapping: ByteSwap?

    /// Creates a selection.
    public init(
        parts: [[ByteRange]], locations: [String]? = nil, plainBulk: Bool = false, asStored: Bool = false,
        swapping: ByteSwap? = nil
    ) {
        self.parts = parts
        self.locations = locations
        self.plainBulk = plainBulk
        self.asStored = asStored
        self.swapping = swapping
    }

    /// The frame numbers of a `{frames}` path segment (PS3.18 §10.4.1.1.2) for an instance of `count` frames:
    /// from 1, comma-separated, in the order given. ``ArchiveError/Code/invalidRequest`` when malformed or
    /// longer than the instance's frames (a list repeating one frame would make one short request cost as
    /// many decodes, renders or transcodes as it names), ``ArchiveError/Code/notFound`` beyond them.
    public static func frameNumbers(_ list: String, count: Int) throws(ArchiveError) -> [Int] {
        let items = list.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count <= max(1, count) else {
            throw ArchiveError(.invalidRequest, "the frame list names \(items.count) frames; the instance has \(count)")
        }
        var numbers: [Int] = []
        numbers.reserveCapacity(items.count)
        for item in items {
            let digits = item.trimmingWhitespace
            guard let n: Int = DecimalNumber.saturating(digits), n >= 1 else {
                throw ArchiveError(
                    .invalidRequest, "frame numbers are positive integers separated by commas, got \"\(list)\"")
            }
            guard n <= count else {
                throw ArchiveError(.notFound, "frame \(digits) does not exist; the instance has \(count)")
            }
            numbers.append(n)
        }
        return numbers
    }
}

/// A BulkDataURI path segment of the metadata, `bulkdata/{offset}-{length}` or `bulkdata/{offset}`
/// (``InstanceAnalyzer/bulkDataPath(offset:length:)``): where the value starts in the stored (or, deflated,
/// inflated) instance, and its length when it has a defined one.
public struct BulkDataLocation: Sendable, Hashable {
    /// The offset of the value.
    public var offset: UInt64
    /// The length of the value; nil for a value of undefined length (encapsulated Pixel Data).
    public var length: UInt64?

    /// Parses `offset-length` or `offset`; nil when it is neither (the length, when present, must be digits).
    /// Numbers too long for 64 bits saturate, so that they address nothing rather than trap.
    public init?(_ text: String) {
        let pieces = text.split(separator: "-")
        guard let offset: UInt64 = pieces.first.flatMap({ DecimalNumber.saturating($0) }), pieces.count <= 2 else {
            return nil
        }
        self.offset = offset
        if pieces.count == 2 {
            guard let length: UInt64 = DecimalNumber.saturating(pieces[1]) else { return nil }
            self.length = length
        } else {
            self.length = nil
        }
    }

    /// Creates a reference.
    public init(offset: UInt64, length: UInt64?) {
        self.offset = offset
        self.length = length
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (Unicode `Zs` and U+0009, as Foundation's
    /// `CharacterSet.whitespaces`).
    var trimmingWhitespace: Substring {
        func blank(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank($0) })!
        return Substring(scalars[first...last])
    }
}
