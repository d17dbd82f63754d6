import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What the archive's services log while answering a request goes to that request's logger (`ArchiveLog`, bound by
/// `RequestLogMiddleware`), under its request id, without patient data.
@Suite struct ArchiveLoggingTests {
    @Test func aFailureTheArchiveSwallowsIsLoggedUnderTheRequestID() async throws {
        let server = try TestServer()
        let instance = try TestInstance()
        try await server.test { client in
            let (body, headers) = instance.stowRequest()
            try await client.execute(uri: "/dicomweb/studies", method: .post, headers: headers, body: body) {
                #expect($0.status == .ok)
            }
            // The stored file becomes a folder that cannot be unlinked: the delete succeeds (the rows are gone)
            // and the blob is left journaled for the sweeper, which the archive can only log.
            let blobs = server.folder + "/blobs"
            let fanOut = try FileManager.default.contentsOfDirectory(atPath: blobs)
            let stored = try #require(
                fanOut.flatMap { folder in
                    ((try? FileManager.default.contentsOfDirectory(atPath: blobs + "/" + folder)) ?? [])
                        .filter { $0.hasSuffix(".dcm") }.map { blobs + "/" + folder + "/" + $0 }
                }.first)
            try FileManager.default.removeItem(atPath: stored)
            try FileManager.default.createDirectory(atPath: stored + "/x", withIntermediateDirectories: true)
            try await client.execute(uri: "/dicomweb/studies/\(instance.study)", method: .delete) {
                #expect($0.status.code < 300)
            }
        }
        let warning = try #require(
            server.log.entries.first {
                $0.message == "deleted instances: some blobs stay journaled until the next sweep"
            })
        #expect(warning.level == .warning)
        let request = try #require(server.log.requestLines.first { $0.metadata["http.method"] == "DELETE" })
        #expect(warning.metadata["hb.request.id"] != nil)
        #expect(warning.metadata["hb.request.id"] == request.metadata["hb.request.id"])
        #expect(
            !server.log.entries.contains { entry in entry.metadata.values.contains { $0.contains(instance.study) } })
    }
}
