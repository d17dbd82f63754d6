import DICOMBinary
import DICOMCore
import DICOMDictionary

/// Fills in and corrects attributes of the metadata from what the bulk data determines, recording a warning
/// for every correction (a value the sender gave that contradicts the content).
struct AttributeEditor {
    var dataSet: DataSet
    var warnings: [BulkIngestWarning] = []

    init(_ dataSet: DataSet) { self.dataSet = dataSet }

    /// Sets an US attribute to `value`: filled when absent, corrected with a warning when different.
    mutating func setUS(_ tag: Tag, _ value: Int, source: String) {
        let bytes = [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]
        set(DataElement(tag, .US, bytes: bytes), current: dataSet.int(tag).map(String.init), new: String(value), source)
    }

    /// Sets an integer-string (IS) attribute.
    mutating func setIS(_ tag: Tag, _ value: Int, source: String) {
        let text = String(value)
        set(
            DataElement(tag, .IS, bytes: Array(text.utf8)), current: dataSet.int(tag).map(String.init), new: text,
            source)
    }

    /// Sets a code-string (CS) attribute.
    mutating func setCS(_ tag: Tag, _ value: String, source: String) {
        set(DataElement(tag, .CS, bytes: Array(value.utf8)), current: dataSet.string(tag), new: value, source)
    }

    /// Sets a decimal-string (DS) attribute; an existing value is kept when it is numerically close.
    mutating func setDS(_ tag: Tag, _ value: Double, source: String) {
        var text = String(format3(value))
        if text.count > 16 { text = String(text.prefix(16)) }
        if let existing = dataSet.string(tag), let old = Double(existing.trimmingSpaces),
            abs(old - value) <= max(0.001, abs(value) * 1e-4)
        {
            return
        }
        set(DataElement(tag, .DS, bytes: Array(text.utf8)), current: dataSet.string(tag), new: text, source)
    }

    /// Sets an attribute only when it is absent (no warning: filling in is expected).
    mutating func fill(_ element: DataElement) { dataSet.setIfAbsent(element) }

    /// Records a warning.
    mutating func warn(_ tag: Tag?, _ message: String) {
        warnings.append(BulkIngestWarning(tag: tag, message: message))
    }

    private mutating func set(_ element: DataElement, current: String?, new: String, _ source: String) {
        if let current {
            if current.trimmingSpaces == new { return }
            warn(element.tag, "corrected from \(current) to \(new) (\(source))")
        } else if dataSet.contains(element.tag), dataSet[element.tag]?.value.bytes?.isEmpty == false {
            warn(element.tag, "replaced by \(new) (\(source))")
        }
        dataSet.set(element)
    }

    private func format3(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if let integer = Int(exactly: rounded) { return String(integer) }
        return String(rounded)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\0" { s = s.dropFirst() }
        while s.last == " " || s.last == "\0" { s = s.dropLast() }
        return String(s)
    }
}
