import ArgumentParser
import LanternServer

/// `lantern capabilities`: prints the service's generated descriptions without starting a server: the WADL
/// Capabilities Description (PS3.18 §8.9, Annex H), the OpenAPI document, or the transaction table of
/// `docs/conformance-statement.md`. A running server answers the same WADL to `OPTIONS` and the same OpenAPI
/// at `/openapi.json`.
struct CapabilitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capabilities",
        abstract: "Print the service's WADL, OpenAPI document or conformance table, generated from its routes.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case wadl, openapi, markdown
    }

    @Option(help: "wadl, openapi or markdown (the table of docs/conformance-statement.md).")
    var format: Format = .wadl

    @Option(help: "The service root URL written into the WADL and OpenAPI documents.")
    var base = "http://127.0.0.1:8080/dicomweb"

    func run() throws {
        switch format {
        case .wadl: print(Capabilities.wadl(base: base), terminator: "")
        case .openapi: print(Capabilities.openAPI(base: base))
        case .markdown: print(Capabilities.conformanceTable(), terminator: "")
        }
    }
}
