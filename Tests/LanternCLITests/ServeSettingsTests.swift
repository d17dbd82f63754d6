import ArgumentParser
import Foundation
import Testing

@testable import LanternCLI

/// The configuration table of `lantern serve` (`ServeSettings`) against the options declared for it, the
/// precedence of its sources, and the reference table in `docs/server.md`.
@Suite struct ServeSettingsTests {
    @Test func everyRowHasExactlyOneOptionAndEveryOptionARow() throws {
        let declared = try ServeOptions.parse([]).declaredOptions.map(\.name)
        #expect(declared.count == ServeSettings.all.count)
        #expect(Set(declared) == Set(ServeSettings.all.map(\.propertyName)))
        #expect(Set(ServeSettings.all.map(\.key)).count == ServeSettings.all.count, "a key is in the table twice")
    }

    @Test func eachOptionSetsItsOwnKey() throws {
        for setting in ServeSettings.all {
            let options = try ServeOptions.parse([setting.option, "given"])
            #expect(options.values == [setting.key: "given"], "\(setting.option)")
        }
    }

    @Test func theHelpShowsEveryOptionWithItsHelpDefaultAndVariable() {
        let help = ServeCommand.helpMessage(columns: 100_000)
        for setting in ServeSettings.all {
            #expect(help.contains(setting.option + " <"), "\(setting.option)")
            #expect(help.contains(setting.argumentHelp.abstract), "\(setting.key)")
        }
        #expect(help.contains(ServeSettings.discussion))
        #expect(!help.contains("print-config-reference"))
    }

    @Test func theDocumentedDefaultsAreTheDefaultsAndReadable() throws {
        let defaults = ServeValues()
        for setting in ServeSettings.all {
            guard let shown = setting.current(defaults) else {
                #expect(setting.defaultNote != nil, "\(setting.key) has no default and no note")
                continue
            }
            var values = ServeValues()
            try setting.apply(shown, &values)
            #expect(setting.current(values) == shown, "\(setting.key)")
        }
        #expect(ServeSettings.row("port").defaultText == "8080")
        #expect(ServeSettings.row("max-request-bytes").defaultText == String(UInt64(64) << 30))
        #expect(ServeSettings.row("idle-timeout").defaultText == "60")
        #expect(ServeSettings.row("default-transfer-syntax").defaultText == "explicit")
    }

    @Test func theNamingRule() {
        let setting = ServeSettings.row("max-request-bytes")
        #expect(setting.option == "--max-request-bytes")
        #expect(setting.environmentVariable == "LANTERN_MAX_REQUEST_BYTES")
        #expect(setting.propertyName == "maxRequestBytes")
    }

    @Test func commandLineBeatsEnvironmentBeatsFileBeatsDefault() throws {
        let file = try temporaryConfig("port = 3\nmax-results = 7\nidle-timeout = 1.5\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let environment = ["LANTERN_CONFIG": file, "LANTERN_PORT": "2", "LANTERN_MAX_PARTS": "9"]
        let both = try ServeSettings.resolve(commandLine: ["port": "1"], environment: environment).values
        #expect(both.server.port == 1)
        #expect(both.server.maxParts == 9)
        #expect(both.server.maxResults == 7)
        #expect(both.server.connections.idleTimeout == .milliseconds(1500))
        #expect(both.server.maxRenderedPixels == 4096 * 4096)
        let noCommandLine = try ServeSettings.resolve(commandLine: [:], environment: environment).values
        #expect(noCommandLine.server.port == 2)
        let fileOnly = try ServeSettings.resolve(commandLine: ["config": file], environment: [:]).values
        #expect(fileOnly.server.port == 3)
        #expect(fileOnly.configFile == file)
    }

    @Test func aBadValueNamesTheKeyAndWhereItCameFrom() throws {
        #expect(throws: ValidationError.self) {
            try ServeSettings.resolve(commandLine: [:], environment: ["LANTERN_PORT": "99999"])
        }
        do {
            _ = try ServeSettings.resolve(commandLine: [:], environment: ["LANTERN_DUPLICATES": "maybe"])
            Issue.record("accepted duplicates = maybe")
        } catch let error as ValidationError {
            #expect(
                error.message == "duplicates must be reject, overwrite or accept-identical (from LANTERN_DUPLICATES)")
        }
        do {
            _ = try ServeSettings.resolve(commandLine: ["max-header-count": "7"], environment: [:])
            Issue.record("accepted max-header-count 7")
        } catch let error as ValidationError {
            #expect(
                error.message == "invalid max-header-count 7: a whole number from 8 to 65534 (from --max-header-count)")
        }
    }

    @Test func aMisspeltVariableIsRefusedAnOtherUnknownOneIsAWarning() throws {
        do {
            _ = try ServeSettings.resolve(commandLine: [:], environment: ["LANTERN_MAX_CONECTIONS": "10"])
            Issue.record("LANTERN_MAX_CONECTIONS was accepted")
        } catch let error as ValidationError {
            #expect(error.message.contains("LANTERN_MAX_CONECTIONS"))
            #expect(error.message.contains("did you mean LANTERN_MAX_CONNECTIONS"))
        }
        #expect(throws: ValidationError.self) {
            try ServeSettings.resolve(commandLine: [:], environment: ["LANTERN_PROT": "80"])
        }
        let result = try ServeSettings.resolve(
            commandLine: [:],
            environment: ["LANTERN_BIN": "x", "LANTERN_URL": "http://a", "LANTERN_TOKEN": "t", "PATH": "/bin"])
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("LANTERN_BIN") == true)
    }

    @Test func theConfigurationFileKnowsEveryKeyButConfig() throws {
        #expect(ServeSettings.fileKeys == Set(ServeSettings.all.map(\.key)).subtracting(["config"]))
        #expect(throws: ValidationError.self) {
            try ConfigFile.parse("config = other.conf\n", path: "a.conf", known: ServeSettings.fileKeys)
        }
        let parsed = try ConfigFile.parse(
            "# c\nmax-connections = 4 # four\n\n", path: "a.conf", known: ServeSettings.fileKeys)
        #expect(parsed == ["max-connections": "4"])
    }

    /// docs/server.md holds the table `lantern serve --print-config-reference` prints, unchanged.
    @Test func theDocumentationHoldsTheGeneratedTable() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let doc = try String(contentsOf: repository.appendingPathComponent("docs/server.md"), encoding: .utf8)
        let markers = ServeSettings.referenceMarkers
        let begin = try #require(doc.range(of: markers.begin), "docs/server.md has no configuration reference")
        let end = try #require(doc.range(of: markers.end, range: begin.upperBound..<doc.endIndex))
        let documented = doc[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            documented == ServeSettings.referenceTable.trimmingCharacters(in: .whitespacesAndNewlines),
            """
            docs/server.md is stale: replace the table between the markers with the output of \
            `.build/debug/lantern serve --print-config-reference`
            """)
        #expect(doc.components(separatedBy: markers.begin).count == 2)
    }

    private func temporaryConfig(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "lantern-settings-\(UUID().uuidString).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
