import ArgumentParser

extension ServeSettings {
    /// The `LANTERN_*` variables of the other `lantern` commands (the client's), which `lantern serve` leaves
    /// alone without a word.
    static let otherCommandsVariables: Set<String> = ["LANTERN_URL", "LANTERN_TOKEN", "LANTERN_PASSWORD"]

    /// Reads every setting, highest precedence first: `commandLine` (values by key), the `LANTERN_*` variables
    /// of `environment`, the configuration file (`--config` or `LANTERN_CONFIG`), the defaults. A value that is
    /// not acceptable is a ``ValidationError`` naming the key and where the value came from.
    ///
    /// Returns the values and the warnings to log: one per `LANTERN_*` variable that is no setting (see
    /// ``readEnvironment(_:)``).
    static func resolve(
        commandLine: [String: String], environment: [String: String]
    ) throws -> (values: ServeValues, warnings: [String]) {
        let (fromEnvironment, warnings) = try readEnvironment(environment)
        let configFile = commandLine["config"] ?? fromEnvironment["config"]
        let fromFile = try configFile.map { try ConfigFile.read($0, known: fileKeys) } ?? [:]
        var values = ServeValues()
        for setting in all {
            let given: (value: String, origin: String)? =
                if let value = commandLine[setting.key] {
                    (value, setting.option)
                } else if let value = fromEnvironment[setting.key] {
                    (value, setting.environmentVariable)
                } else if let value = fromFile[setting.key], let configFile {
                    (value, configFile)
                } else {
                    nil
                }
            guard let given else { continue }
            do {
                try setting.apply(given.value, &values)
            } catch let error as ValidationError {
                throw ValidationError("\(error.message) (from \(given.origin))")
            }
        }
        return (values, warnings)
    }

    /// The settings of `environment`, by key, and a warning for each other `LANTERN_*` variable.
    ///
    /// The environment is shared by every program a shell starts (the client commands read `LANTERN_URL`,
    /// `LANTERN_TOKEN` and `LANTERN_PASSWORD`; scripts and tests set variables of their own), so, unlike a key of
    /// the configuration file, which only the server reads, a variable the server does not know is not
    /// necessarily meant for it: it is reported with a warning and ignored. One that differs from a setting's
    /// variable by at most two edits (one for names under five letters; a swap of two letters is one edit),
    /// `LANTERN_MAX_CONECTIONS` or `LANTERN_PROT`, is a typo and refused at start with the name it resembles, like an unknown key of the configuration file: a typo must never
    /// leave the server on a default the operator did not choose.
    static func readEnvironment(
        _ environment: [String: String]
    ) throws -> (values: [String: String], warnings: [String]) {
        let keyOfVariable = Dictionary(uniqueKeysWithValues: all.map { ($0.environmentVariable, $0.key) })
        var values: [String: String] = [:]
        var warnings: [String] = []
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("LANTERN_") {
            if let key = keyOfVariable[name] {
                values[key] = value
            } else if otherCommandsVariables.contains(name) {
                continue
            } else if let resembled = resembledVariable(name) {
                throw ValidationError(
                    "unknown environment variable \(name): did you mean \(resembled)? (lantern serve --help lists them)"
                )
            } else {
                warnings.append("ignoring the environment variable \(name): it is not a setting of lantern serve")
            }
        }
        return (values, warnings)
    }

    /// The variable of a setting that `name` misspells, if any.
    static func resembledVariable(_ name: String) -> String? {
        let suffix = Array(name.dropFirst("LANTERN_".count).uppercased())
        var best: (variable: String, distance: Int)?
        for candidate in all.map(\.environmentVariable) {
            let other = Array(candidate.dropFirst("LANTERN_".count))
            let allowed = min(suffix.count, other.count) < 5 ? 1 : 2
            let distance = editDistance(suffix, other)
            if distance <= allowed, distance < best?.distance ?? Int.max { best = (candidate, distance) }
        }
        return best?.variable
    }

    /// The edit distance between `a` and `b`, a swap of two neighbouring letters counting as one edit
    /// (optimal string alignment).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
