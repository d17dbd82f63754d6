import DICOMweb
import Testing

/// Builds stored data sets and evaluates queries on them, for the ``QIDOEvaluator`` tests.
enum Stored {
    /// A text element of `keyword`, its VR from the dictionary, encoded in `characterSet`.
    static func element(
        _ keyword: String, _ value: String, in characterSet: SpecificCharacterSet = .default
    )
        -> DataElement
    {
        let tag = DataDictionary.tag(forKeyword: keyword)!
        let vr = DataDictionary.vr(for: tag)!
        return DataElement(tag, vr, bytes: try! characterSet.encode(value, vr: vr))
    }

    /// A data set of text elements; with `characterSet`, it declares it in (0008,0005) and uses it.
    static func dataSet(_ values: [(String, String)], characterSet: String? = nil) -> DataSet {
        var elements: [DataElement] = []
        var set = SpecificCharacterSet.default
        if let characterSet {
            set = SpecificCharacterSet(encodedValue: Array(characterSet.utf8))
            elements.append(DataElement(.specificCharacterSet, .CS, bytes: Array(characterSet.utf8)))
        }
        elements += values.map { element($0.0, $0.1, in: set) }
        return DataSet(elements)
    }

    /// A sequence element of `keyword` holding `items`.
    static func sequence(_ keyword: String, _ items: [DataSet]) -> DataElement {
        DataElement(DataDictionary.tag(forKeyword: keyword)!, items: items)
    }

    /// A binary element of `keyword` with little-endian `bytes`, as `vr`.
    static func binary(_ keyword: String, _ vr: VR, _ bytes: [UInt8]) -> DataElement {
        DataElement(DataDictionary.tag(forKeyword: keyword)!, vr, bytes: bytes)
    }

    /// Whether the query `items` matches `dataSet`.
    static func matches(_ items: [(String, String)], _ dataSet: DataSet) throws -> Bool {
        try QIDOQuery.parse(queryItems: items, scope: .allStudies).matches(dataSet)
    }

    /// Whether the single key `name=value` matches `dataSet`.
    static func matches(_ name: String, _ value: String, _ dataSet: DataSet) throws -> Bool {
        try matches([(name, value)], dataSet)
    }
}
