import DICOMCore

extension RetrieveService {
    /// Whether ingest recorded the encapsulated frames of `instance` as one frame of several fragments although
    /// its Number of Frames says `frames` (`FrameMapper`'s last resort: no Basic Offset Table, a fragment count
    /// that is not a multiple of the frames).
    static func fragmentsCollapsed(_ instance: StoredInstance, frames: Int) -> Bool {
        frames > 1 && hasOneFrameOfSeveralFragments(instance)
    }

    /// Whether ingest recorded one encapsulated frame of several fragments: one frame split in fragments, or
    /// several frames ingest could not tell apart (Number of Frames decides).
    static func hasOneFrameOfSeveralFragments(_ instance: StoredInstance) -> Bool {
        guard case .encapsulated(let recorded)? = instance.pixelLayout else { return false }
        return recorded.count == 1 && recorded[0].count > 1
    }

    /// The frames of an instance whose fragments ingest could not assign (``fragmentsCollapsed(_:frames:)``):
    /// a frame starts at each fragment whose value begins a codestream, JPEG and JPEG-LS (SOI, `FF D8`) or
    /// JPEG 2000 and HTJ2K (SOC then SIZ, `FF 4F FF 51`) (PS3.5 §A.4: a frame is one codestream, split over
    /// fragments). Reads four bytes of each fragment; nil unless that gives exactly `frames` frames.
    public func codestreamFrames(_ instance: StoredInstance, frames expected: Int) async throws -> PixelLayout? {
        guard Self.fragmentsCollapsed(instance, frames: expected),
            case .encapsulated(let recorded)? =
                instance.pixelLayout
        else { return nil }
        var frames: [[ByteRange]] = []
        for fragment in recorded[0] {
            var head: [UInt8] = []
            if fragment.length >= 4 {
                try await stream(instance, range: ByteRange(offset: fragment.offset, length: 4)) {
                    head += $0.readableBytesView
                }
            }
            let starts =
                head.count == 4
                && (head[0] == 0xFF && head[1] == 0xD8 || head == [0xFF, 0x4F, 0xFF, 0x51])
            if starts || frames.isEmpty {
                guard frames.count < expected else { return nil }
                frames.append([fragment])
            } else {
                frames[frames.count - 1].append(fragment)
            }
        }
        return frames.count == expected ? .encapsulated(frames: frames) : nil
    }
}
