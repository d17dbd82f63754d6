import ArgumentParser
import Foundation

/// The configuration file of `lantern serve`: `key = value` lines, `#` starting a comment.
///
/// A key the server does not know, or a line that is not `key = value`, is refused at start with the file, the
/// line and the key: a typo (`max-conections`, or a security setting a future version reads) must never be
/// silently ignored and leave the server running on defaults the operator did not choose.
enum ConfigFile {
    /// The settings of the file at `path`, checked against `known`.
    static func read(_ path: String, known: Set<String>) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the configuration file \(path)")
        }
        return try parse(text, path: path, known: known)
    }

    /// The settings of `text`, read as the file `path`.
    static func parse(_ text: String, path: String, known: Set<String>) throws -> [String: String] {
        var settings: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if content.isEmpty { continue }
            let pair = content.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else {
                throw ValidationError("\(path), line \(number + 1): expected key = value")
            }
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            guard known.contains(key) else {
                throw ValidationError(
                    "\(path), line \(number + 1): unknown key \"\(key)\"; the keys are \(known.sorted().joined(separator: ", "))"
                )
            }
            settings[key] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        return settings
    }
}
