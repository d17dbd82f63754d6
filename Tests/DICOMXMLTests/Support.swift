import DICOMXML

/// A text element.
func text(_ tag: UInt32, _ vr: VR, _ value: String) -> DataElement {
    DataElement(Tag(tag), vr, bytes: Array(value.utf8))
}

/// A binary element of little-endian words.
func words<T: FixedWidthInteger>(_ tag: UInt32, _ vr: VR, _ values: [T]) -> DataElement {
    var bytes: [UInt8] = []
    for v in values {
        for k in 0..<(T.bitWidth / 8) { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }
    return DataElement(Tag(tag), vr, bytes: bytes)
}

/// The XML of `dataSet`, compact (no indentation) unless asked.
func xml(_ dataSet: DataSet, pretty: Bool = false, policy: BinaryPolicy = .inline) -> String {
    NativeXMLEncoder.encode(dataSet, binaryPolicy: policy, prettyPrinted: pretty)
}

/// Encodes `dataSet` and returns the encoder (for its warnings) with the output.
func encodeWithWarnings(_ dataSet: DataSet) -> (xml: String, warnings: [String]) {
    var encoder = NativeXMLEncoder(prettyPrinted: false)
    EventReplay.replay(dataSet) { encoder.consume($0) }
    return (String(decoding: encoder.takeOutput(), as: UTF8.self), encoder.warnings)
}

/// The compact document around `body`.
func document(_ body: String) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><NativeDicomModel xmlns=\"http://dicom.nema.org/PS3.19/models/NativeDICOM\" xml:space=\"preserve\">"
        + body + "</NativeDicomModel>"
}

/// Decodes `xml`, throwing its error.
func decode(_ xml: String) throws(XMLModelError) -> DataSet {
    try NativeXMLDecoder.decode(Array(xml.utf8))
}

/// The error decoding `xml` gives, if any.
func decodeError(_ xml: String, limits: XMLLimits = XMLLimits()) -> XMLModelError? {
    do {
        _ = try NativeXMLDecoder.decode(Array(xml.utf8), limits: limits)
        return nil
    } catch {
        return error
    }
}

/// `bytes` padded to even length with `vr`'s padding byte, as the writer does.
func padded(_ bytes: [UInt8], _ vr: VR) -> [UInt8] {
    bytes.count % 2 == 1 ? bytes + [vr.paddingByte] : bytes
}
