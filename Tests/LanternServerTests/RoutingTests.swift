import DICOMBinary
import DICOMCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Requests through the whole application in-process (`.router`: no socket), one middleware chain for every
/// route: CORS, identity and the request log on DICOMweb resources, the capabilities and WADO-URI alike.
@Suite struct RoutingTests {
    static let origin = "http://viewer.example.org"
    static let dicomJSON = "application/dicom+json"

    @Test func corsPreflightOnADICOMwebRoute() async throws {
        let server = try TestServer()
        try await server.test { client in
            var headers = HTTPFields()
            headers[.origin] = Self.origin
            headers[.accessControlRequestMethod] = "POST"
            headers[.accessControlRequestHeaders] = "Content-Type"
            try await client.execute(uri: "/dicomweb/studies", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowHeaders] == "Content-Type")
            }
        }
    }

    @Test func capabilitiesWithoutPreflightPassTheChain() async throws {
        let server = try TestServer()
        try await server.test { client in
            var headers = HTTPFields()
            headers[.origin] = Self.origin
            try await client.execute(uri: "/dicomweb/studies", method: .options, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
        #expect(server.log.requestLines.contains { $0.metadata["http.method"] == "OPTIONS" })
    }

    @Test func unknownStudyIs404WithCORSHeaders() async throws {
        let server = try TestServer()
        try await server.test { client in
            var headers = HTTPFields()
            headers[.accept] = Self.dicomJSON
            headers[.origin] = Self.origin
            try await client.execute(uri: "/dicomweb/studies/1.2.3.4/metadata", method: .get, headers: headers) {
                response in
                #expect(response.status == .notFound)
                // The archive's "not found" is mapped inside the chain, so a browser can read it too.
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
        let line = try #require(server.log.requestLines.last)
        #expect(line.metadata["http.status"] == "404")
        #expect(line.metadata["http.route"] == "/dicomweb/studies/{study}/metadata")
    }

    @Test func searchOnAnEmptyArchiveFindsNothing() async throws {
        let server = try TestServer()
        try await server.test { client in
            var headers = HTTPFields()
            headers[.accept] = Self.dicomJSON
            try await client.execute(uri: "/dicomweb/studies?PatientName=DOE%5EJOHN", method: .get, headers: headers) {
                response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
                #expect((json as? [Any])?.isEmpty == true)
            }
        }
        // The request line says what was asked, not whom: no query, no patient name.
        let line = try #require(server.log.requestLines.last)
        #expect(line.metadata["http.route"] == "/dicomweb/studies")
        #expect(!server.log.entries.contains { entry in entry.metadata.values.contains { $0.contains("DOE") } })
    }

    @Test func storeOneInstanceThenItsMetadata() async throws {
        let server = try TestServer()
        let instance = try TestInstance()
        try await server.test { client in
            var (body, headers) = instance.stowRequest()
            headers[.accept] = Self.dicomJSON
            try await client.execute(uri: "/dicomweb/studies", method: .post, headers: headers, body: body) {
                response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(instance.sop))
            }
            var get = HTTPFields()
            get[.accept] = Self.dicomJSON
            try await client.execute(uri: "/dicomweb/studies/\(instance.study)/metadata", method: .get, headers: get) {
                response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]
                let sop = json?.first?["00080018"] as? [String: Any]
                #expect((sop?["Value"] as? [String]) == [instance.sop])
            }
        }
    }

    @Test func handlersSeeAnAnonymousIdentityAndARequestID() async throws {
        let server = try TestServer()
        try await server.test { client in
            try await client.execute(uri: "/dicomweb/studies", method: .get) { _ in }
            try await client.execute(uri: "/dicomweb/studies", method: .get) { _ in }
        }
        let lines = server.log.requestLines
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.metadata["lantern.identity"] == "anonymous" })
        let ids = Set(lines.compactMap { $0.metadata["hb.request.id"] })
        #expect(ids.count == 2)
    }

    @Test func knownResourceWithAnotherMethodIs405WithAllow() async throws {
        let server = try TestServer()
        try await server.test { client in
            var headers = HTTPFields()
            headers[.origin] = Self.origin
            try await client.execute(uri: "/dicomweb/studies", method: .put, headers: headers) { response in
                #expect(response.status == .methodNotAllowed)
                let allowed = Set(
                    (response.headers[.allow] ?? "").split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    })
                #expect(allowed == ["GET", "HEAD", "POST", "OPTIONS"])
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
    }

    @Test func wadoURIPassesTheSameChain() async throws {
        let server = try TestServer()
        try await server.test { client in
            var headers = HTTPFields()
            headers[.origin] = Self.origin
            let query = "requestType=WADO&studyUID=1.2.3&seriesUID=1.2.3.4&objectUID=1.2.3.4.5"
            try await client.execute(uri: "/wado?\(query)", method: .get, headers: headers) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
        let line = try #require(server.log.requestLines.last)
        #expect(line.metadata["http.route"] == "/wado")
        #expect(line.metadata["lantern.identity"] == "anonymous")
    }
}

/// A small Part 10 instance (Secondary Capture, no pixel data) with fresh UIDs.
struct TestInstance {
    let study = Self.uid()
    let series = Self.uid()
    let sop = Self.uid()
    let part10: [UInt8]

    init() throws {
        var dataSet = DataSet()
        dataSet.set(DataElement(Tag(0x0008_0016), .UI, bytes: Self.ui("1.2.840.10008.5.1.4.1.1.7")))
        dataSet.set(DataElement(Tag(0x0008_0018), .UI, bytes: Self.ui(sop)))
        dataSet.set(DataElement(Tag(0x0008_0060), .CS, bytes: Array("OT".utf8)))
        dataSet.set(DataElement(Tag(0x0010_0010), .PN, bytes: Array("TEST^PATIENT".utf8)))
        dataSet.set(DataElement(Tag(0x0010_0020), .LO, bytes: Array("LST-1 ".utf8)))
        dataSet.set(DataElement(Tag(0x0020_000D), .UI, bytes: Self.ui(study)))
        dataSet.set(DataElement(Tag(0x0020_000E), .UI, bytes: Self.ui(series)))
        part10 = try DICOMWriter.part10(dataSet)
    }

    /// The instance as the body of a STOW-RS request (one `application/dicom` part), with its Content-Type.
    func stowRequest(boundary: String = "lantern-test-boundary") -> (body: ByteBuffer, headers: HTTPFields) {
        var body = ByteBuffer(string: "--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n")
        body.writeBytes(part10)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPFields()
        headers[.contentType] = "multipart/related; type=\"application/dicom\"; boundary=\(boundary)"
        return (body, headers)
    }

    static func uid() -> String { "2.25.\(UInt64.random(in: 1...UInt64.max))" }

    /// A UID value padded to even length with NUL (PS3.5 §9.1).
    static func ui(_ uid: String) -> [UInt8] {
        let bytes = Array(uid.utf8)
        return bytes.count % 2 == 0 ? bytes : bytes + [0]
    }
}
