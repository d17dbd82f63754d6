/// An ordered collection of data elements, sorted by tag (PS3.5 §7).
///
/// A value type: copies share storage until one is changed. Lookup is a binary search; appending in tag
/// order (as a parser does) is constant time.
public struct DataSet: Hashable, Sendable, RandomAccessCollection {
    /// The elements, in ascending tag order.
    public private(set) var elements: [DataElement]

    /// An empty data set.
    public init() { elements = [] }

    /// A data set of `elements` in any order; a later element replaces an earlier one with the same tag.
    public init(_ elements: [DataElement]) {
        self.elements = []
        for e in elements { self.set(e) }
    }

    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }
    public subscript(position: Int) -> DataElement { elements[position] }

    /// The index of `tag`, or where it would be inserted.
    private func position(of tag: Tag) -> (index: Int, found: Bool) {
        var low = 0
        var high = elements.count
        while low < high {
            let mid = (low + high) / 2
            let t = elements[mid].tag
            if t == tag { return (mid, true) }
            if t < tag { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }

    /// The element with `tag`, if present.
    public subscript(tag: Tag) -> DataElement? {
        if let last = elements.last, last.tag == tag { return last }
        let p = position(of: tag)
        return p.found ? elements[p.index] : nil
    }

    /// Whether an element with `tag` is present.
    public func contains(_ tag: Tag) -> Bool { self[tag] != nil }

    /// Inserts `element`, replacing any element with the same tag.
    public mutating func set(_ element: DataElement) {
        if elements.isEmpty || elements[elements.count - 1].tag < element.tag {
            elements.append(element)
            return
        }
        let p = position(of: element.tag)
        if p.found { elements[p.index] = element } else { elements.insert(element, at: p.index) }
    }

    /// Inserts `element` unless an element with its tag is present; returns whether it was inserted.
    @discardableResult public mutating func setIfAbsent(_ element: DataElement) -> Bool {
        if elements.isEmpty || elements[elements.count - 1].tag < element.tag {
            elements.append(element)
            return true
        }
        let p = position(of: element.tag)
        if p.found { return false }
        elements.insert(element, at: p.index)
        return true
    }

    /// Removes the element with `tag` and returns it.
    @discardableResult public mutating func remove(_ tag: Tag) -> DataElement? {
        let p = position(of: tag)
        guard p.found else { return nil }
        return elements.remove(at: p.index)
    }

    /// Removes every element matching `predicate`.
    public mutating func removeAll(where predicate: (DataElement) throws -> Bool) rethrows {
        try elements.removeAll(where: predicate)
    }

    /// The data set without the file meta group (0002).
    public var withoutFileMeta: DataSet {
        var copy = self
        copy.elements.removeAll { $0.tag.isFileMeta }
        return copy
    }
}
