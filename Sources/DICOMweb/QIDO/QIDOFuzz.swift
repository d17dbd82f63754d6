/// A fuzz entry for the QIDO-RS query parser (see `Sources/LanternFuzz`): the input is taken as a raw query
/// string and parsed for every kind of search target. Errors are expected and ignored; a crash, hang or
/// runaway allocation is a bug.
public enum QIDOFuzz {
    /// Decodes `data` as a query string (invalid UTF-8 is repaired, so the parser still runs) and parses it
    /// at each level, using the ``QIDOQuery`` API the way the HTTP layer does.
    public static func run(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let items = try? QIDOQueryString.decode(text) else { return }
        let scopes: [QIDOScope] = [
            .allStudies, .allSeries, .seriesInStudy(study: "1.2.3"), .allInstances,
            .instancesInStudy(study: "1.2.3"), .instancesInSeries(study: "1.2.3", series: "1.2.3.4"),
        ]
        for scope in scopes {
            if let query = try? QIDOQuery.parse(queryItems: items, scope: scope) {
                _ = query.returnAttributes
                _ = query.keys.map(\.path.description)
            }
        }
    }
}
