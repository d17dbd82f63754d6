import DICOMBinary
import DICOMCore
import DICOMImaging
import NIOCore

extension RetrieveService {
    /// The attributes of an instance before its Pixel Data (the image geometry among them), read from the
    /// stored bytes up to the Pixel Data element.
    public func imageAttributes(_ instance: StoredInstance) async throws -> DataSet {
        let end = min(instance.pixelDataOffset ?? instance.size, instance.size)
        var builder = DataSetBuilder(policy: ReadPolicy(stopAtPixelData: true))
        try await parse(instance, range: ByteRange(offset: 0, length: end), cutShort: end < instance.size) {
            builder.consume($0)
        }
        return builder.dataSet
    }

    /// Throws ``CodecError`` when the frames of `instance` cannot be converted to `target` by the codecs
    /// (decoded from the stored syntax, then encoded): the check made before a transcoding response starts.
    public func checkConvertible(_ instance: StoredInstance, to target: String) async throws {
        let stored = instance.transferSyntaxUID
        let decoding = TransferSyntax(uid: stored).isEncapsulated
        let encoding = TransferSyntax(uid: target).isEncapsulated
        guard target != stored, instance.pixelLayout != nil, decoding || encoding else { return }
        let geometry = try FrameGeometry(try await imageAttributes(instance))
        if decoding { try FrameCodecs.checkDecodable(geometry, from: stored) }
        if encoding {
            let native = decoding ? FrameCodecs.decodedGeometry(geometry, from: stored) : geometry
            try FrameCodecs.checkEncodable(native, in: target)
        }
    }

    /// One frame converted by ``FrameCodecs``, read from its byte ranges and converted on the codec pool: an
    /// encapsulated frame is decoded to a native one, then (with `encodingTo`) the native frame is encoded.
    public func convertedFrame(
        _ instance: StoredInstance, ranges: [ByteRange], geometry: FrameGeometry, encodingTo target: String? = nil
    ) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for range in ranges {
            try await stream(instance, range: range) { bytes += Array($0.readableBytesView) }
        }
        let syntax = instance.transferSyntaxUID
        let input = bytes
        return try await CodecPool.shared.runIfActive {
            var native = input
            var nativeGeometry = geometry
            if TransferSyntax(uid: syntax).isEncapsulated {
                native = try FrameCodecs.decode(input, transferSyntaxUID: syntax, geometry: geometry)
                nativeGeometry = FrameCodecs.decodedGeometry(geometry, from: syntax)
            }
            guard let target else { return native }
            return try FrameCodecs.encode(native, transferSyntaxUID: target, geometry: nativeGeometry)
        }
    }
}
