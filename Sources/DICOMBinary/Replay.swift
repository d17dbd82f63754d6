/// Turns an in-memory data set back into parser events, so event consumers (the JSON and XML encoders,
/// a data set builder) serve parsed streams and in-memory data sets with one code path.
public enum EventReplay {
    /// Calls `body` with the events of `fileMeta` (if any), ``ParseEvent/dataSetStart(_:)`` and `dataSet`,
    /// ending with ``ParseEvent/end``. Offsets in the headers are zero.
    public static func replay(
        _ dataSet: DataSet, fileMeta: DataSet = DataSet(), transferSyntax: TransferSyntax = .explicitVRLittleEndian,
        _ body: (ParseEvent) throws -> Void
    ) rethrows {
        for element in fileMeta { try replay(element, body) }
        try body(.dataSetStart(transferSyntax))
        for element in dataSet { try replay(element, body) }
        try body(.end)
    }

    /// The events of one element (one ``ParseEvent/element(_:_:)`` for a primitive value), for stream
    /// rewriters that put elements of their own in a parsed stream.
    public static func events(of element: DataElement) -> [ParseEvent] {
        var out: [ParseEvent] = []
        replay(element) { out.append($0) }
        return out
    }

    /// The text values of one element's bytes, as ``DataSet/strings(_:characterSet:)`` reads them (padding
    /// and insignificant spaces removed); empty when they cannot be decoded.
    public static func strings(_ tag: Tag, _ vr: VR, _ bytes: [UInt8]) -> [String] {
        (try? DataSet([DataElement(tag, vr, bytes: bytes)]).strings(tag)) ?? []
    }

    /// Calls `body` with the events of one element.
    public static func replay(_ element: DataElement, _ body: (ParseEvent) throws -> Void) rethrows {
        func header(_ length: ValueLength) -> ElementHeader {
            ElementHeader(tag: element.tag, vr: element.vr, length: length, offset: 0, valueOffset: 0)
        }
        switch element.value {
        case .bytes(let bytes):
            try body(.element(header(.defined(UInt32(clamping: bytes.count))), bytes))
        case .sequence(let items):
            try body(.sequenceStart(header(.undefined)))
            for item in items {
                try body(.itemStart(offset: 0, length: .undefined))
                for e in item { try replay(e, body) }
                try body(.itemEnd)
            }
            try body(.sequenceEnd)
        case .encapsulated(let pixels):
            try body(.encapsulatedStart(header(.undefined)))
            for (i, fragment) in ([pixels.basicOffsetTable] + pixels.fragments).enumerated() {
                try body(
                    .fragment(
                        FragmentHeader(index: i, length: UInt32(fragment.count), offset: 0, valueOffset: 0), fragment))
            }
            try body(.encapsulatedEnd)
        case .bulk(let ref):
            try body(.bulkData(header(ref.length.map { .defined(UInt32(clamping: $0)) } ?? .undefined), ref))
        }
    }
}
