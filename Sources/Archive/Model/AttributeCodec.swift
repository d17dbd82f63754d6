import DICOMBinary
import DICOMCore

/// The compact form in which indexes keep attribute sets: the elements encoded in explicit VR little endian,
/// without preamble or file meta (PS3.5 §7.1.2).
public enum AttributeCodec {
    /// Encodes a data set; values that cannot be encoded are left out.
    public static func encode(_ dataSet: DataSet) -> [UInt8] {
        var out: [UInt8] = []
        for element in dataSet {
            var one: [UInt8] = []
            if (try? DICOMWriter.encode(DataSet([element]), transferSyntax: .explicitVRLittleEndian, into: &one)) != nil
            {
                out += one
            }
        }
        return out
    }

    /// Decodes what ``encode(_:)`` produced; an empty data set when the bytes are damaged.
    public static func decode(_ bytes: [UInt8]) -> DataSet {
        var options = ParserOptions()
        options.expectPart10Header = false
        options.defaultTransferSyntax = .explicitVRLittleEndian
        var parser = StreamParser(options: options)
        var builder = DataSetBuilder()
        parser.append(bytes)
        parser.finish()
        do {
            while let event = try parser.next() {
                builder.consume(event)
                if case .end = event { break }
            }
        } catch {
            return DataSet()
        }
        return builder.dataSet
    }
}

extension DataSet {
    /// This data set with `other`'s elements added where this one has none of the same tag.
    public func merging(_ other: DataSet) -> DataSet {
        var out = self
        for element in other { out.setIfAbsent(element) }
        return out
    }
}
