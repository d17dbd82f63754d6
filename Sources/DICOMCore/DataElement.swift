/// One attribute of a data set: its tag, value representation and value (PS3.5 §7.1).
public struct DataElement: Hashable, Sendable {
    /// The attribute tag.
    public var tag: Tag
    /// The value representation.
    public var vr: VR
    /// The value.
    public var value: Value

    /// Creates an element.
    @inlinable public init(tag: Tag, vr: VR, value: Value) {
        self.tag = tag
        self.vr = vr
        self.value = value
    }

    /// Creates a primitive element from its encoded bytes.
    @inlinable public init(_ tag: Tag, _ vr: VR, bytes: [UInt8]) {
        self.init(tag: tag, vr: vr, value: .bytes(bytes))
    }

    /// Creates a sequence element.
    @inlinable public init(_ tag: Tag, items: [DataSet]) {
        self.init(tag: tag, vr: .SQ, value: .sequence(items))
    }
}
