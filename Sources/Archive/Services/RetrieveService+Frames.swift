import DICOMBinary
import DICOMCore
import DICOMImaging
import NIOCore

extension RetrieveService {
    /// The attributes of an instance before its Pixel Data (the image geometry among them), read from the
    /// stored bytes up to the Pixel Data element.
    public func imageAttributes(_ instance: StoredInstance) async throws -> DataSet {
        let end = instance.pixelDataOffset ?? instance.size
        var parser = StreamParser()
        var builder = DataSetBuilder(policy: ReadPolicy(stopAtPixelData: true))
        try await stream(instance, range: ByteRange(offset: 0, length: min(end, instance.size))) { buffer in
            parser.append(buffer.readableBytesView)
            while let event = try parser.next() { builder.consume(event) }
        }
        parser.finish()
        while !builder.isComplete, let event = try? parser.next() { builder.consume(event) }
        return builder.dataSet
    }

    /// One frame converted by ``FrameCodecs``, read from its byte ranges and converted on the codec pool: an
    /// encapsulated frame decoded to a native one, or (with `encodingTo`) a native frame encoded.
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
            if let target {
                return try FrameCodecs.encode(input, transferSyntaxUID: target, geometry: geometry)
            }
            return try FrameCodecs.decode(input, transferSyntaxUID: syntax, geometry: geometry)
        }
    }
}
