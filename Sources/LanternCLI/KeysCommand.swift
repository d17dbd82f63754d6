import Archive
import ArchiveSQLite
import ArgumentParser
import Foundation
import LanternServer

/// `lantern keys create|list|revoke`: the API keys a server with `auth = api-key` accepts (issue 18), kept
/// hashed in the data folder's index. A key is printed once, at creation; the index holds only its SHA-256.
/// Safe while the server runs (SQLite serializes the writes), and a revocation takes effect on its next request.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke the API keys a server with auth = api-key accepts.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Location: ParsableArguments {
        @Option(help: "The server's data folder (where its index is).")
        var data = "./lantern-data"

        func store() throws -> SQLiteCredentialStore {
            let path = data + "/index.sqlite"
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("no index in \(data): start `lantern serve --data \(data)` once, or give --data")
            }
            return SQLiteCredentialStore(sharing: try SQLiteIndexStore(path: path))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it (once: only its hash is kept).")

        @Argument(help: "A name for the key (1 to 64 letters, digits, '.', '-', '_'): what logs show.")
        var name: String

        @Option(
            help: ArgumentHelp(
                "The permissions it grants, comma-separated: \(Permission.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        )
        var roles = "read"

        @OptionGroup var location: Location

        func run() async throws {
            guard SafeToken.matches(name, maxLength: 64, punctuation: "._-") else {
                throw ValidationError("invalid key name \(name): 1 to 64 letters, digits, '.', '-', '_'")
            }
            let granted = Set(roles.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let unknown = granted.subtracting(Permission.allRoles)
            guard unknown.isEmpty, !granted.isEmpty else {
                throw ValidationError(
                    "unknown role(s) \(unknown.sorted().joined(separator: ", ")): use \(Permission.allRoles.sorted().joined(separator: ", "))"
                )
            }
            let key = APIKeys.generate()
            do {
                try await location.store().addAPIKey(name: name, hash: APIKeys.hash(key), roles: granted)
            } catch let error as ArchiveError where error.code == .conflict {
                throw ValidationError("a key named \(name) exists: revoke it or choose another name")
            }
            print(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys: name, roles, created, revoked.")

        @OptionGroup var location: Location

        func run() async throws {
            let format = ISO8601DateFormatter()
            func date(_ seconds: Int64) -> String { format.string(from: Date(timeIntervalSince1970: Double(seconds))) }
            for key in try await location.store().apiKeys() {
                let state = key.revokedAt.map { "revoked \(date($0))" } ?? "valid"
                print(
                    "\(key.name)\t\(key.roles.sorted().joined(separator: ","))\tcreated \(date(key.createdAt))\t\(state)"
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key: it is refused from its next request on.")

        @Argument(help: "The key's name.")
        var name: String

        @OptionGroup var location: Location

        func run() async throws {
            guard try await location.store().revokeAPIKey(name: name) else {
                throw ValidationError("no valid key named \(name)")
            }
            print("revoked \(name)")
        }
    }
}
