import DICOMCore
import DICOMJSON
import Testing

@testable import DICOMwebClient

@Suite("Client model: UIDs, URLs, queries, credentials, STOW responses, wrapping")
struct ClientModelTests {
    @Test("generated UIDs are 2.25 UUID UIDs: valid, at most 64 characters, distinct")
    func uids() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let uid = UIDGenerator.make()
            #expect(uid.hasPrefix("2.25.") && uid.count <= 64)
            let digits = uid.dropFirst(5)
            #expect(digits.allSatisfy(\.isNumber) && (digits.first != "0" || digits.count == 1))
            let value = UInt128(digits)!
            #expect(value >> 76 & 0xF == 4)  // version 4
            #expect(value >> 62 & 0x3 == 2)  // RFC 4122 variant
            seen.insert(uid)
        }
        #expect(seen.count == 1000)
    }

    @Test("query values are percent-encoded except unreserved characters, * and ,")
    func percentEncoding() {
        #expect(DICOMwebClient.percentEncoded("Doe^J*") == "Doe%5EJ*")
        #expect(DICOMwebClient.percentEncoded("a b&c=d") == "a%20b%26c%3Dd")
        #expect(DICOMwebClient.percentEncoded("CT,MR") == "CT,MR")
        #expect(DICOMwebClient.percentEncoded("é") == "%C3%A9")
    }

    @Test("search paths and parameters for each level and scope (PS3.18 §10.6)")
    func searchPaths() {
        #expect(SearchQuery(level: .studies).path == "/studies")
        let study = SearchQuery(level: .studies, studyUID: "1.2")
        #expect(study.path == "/studies" && study.parameters.contains { $0 == ("StudyInstanceUID", "1.2") })
        #expect(SearchQuery(level: .series, studyUID: "1.2").path == "/studies/1.2/series")
        #expect(
            SearchQuery(level: .instances, studyUID: "1.2", seriesUID: "3.4").path
                == "/studies/1.2/series/3.4/instances")
        #expect(SearchQuery(level: .instances, studyUID: "1.2").path == "/studies/1.2/instances")
        #expect(SearchQuery(level: .instances).path == "/instances")
        let paged = SearchQuery(
            level: .series, matches: [("Modality", "CT")], includeFields: ["all"], limit: 5, offset: 10,
            fuzzyMatching: true)
        #expect(
            paged.parameters.map { "\($0.0)=\($0.1)" } == [
                "Modality=CT", "includefield=all", "limit=5", "offset=10", "fuzzymatching=true",
            ])
    }

    @Test("basic credentials are base64 of user:password (RFC 7617)")
    func basic() {
        #expect(
            Authorization.basic(user: "Aladdin", password: "open sesame").headerValue
                == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(Authorization.basic(user: "a", password: "").headerValue == "Basic YTo=")
        #expect(Authorization.bearer("t").headerValue == "Bearer t")
    }

    @Test("STOW responses: referenced and failed items with reasons and comments")
    func stowResponse() throws {
        let json = """
            {"00081199":{"vr":"SQ","Value":[{"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.7"]},
            "00081155":{"vr":"UI","Value":["1.1"]},"00081196":{"vr":"US","Value":[45056]}}]},
            "00081198":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2"]},"00081197":{"vr":"US","Value":[273]},
            "00000902":{"vr":"LO","Value":["already stored"]}}]}}
            """
        let results = DICOMwebClient.results(try #require(DICOMwebClient.result(Array(json.utf8))))
        #expect(results.count == 2)
        #expect(results[0].stored && results[0].sopInstanceUID == "1.1" && results[0].warningReason == 0xB000)
        #expect(!results[1].stored && results[1].failureReason == 0x0111 && results[1].comment == "already stored")
        #expect(StowInstanceResult.describe(failure: 0x0111) == "duplicate SOP instance")
        #expect(StowInstanceResult.describe(failure: 0xABCD) == "0xABCD")
        let wrapped = try #require(DICOMwebClient.result(Array("[\(json)]".utf8)))
        #expect(DICOMwebClient.results(wrapped).count == 2)
    }

    @Test("file kinds are told by their first bytes, STL by its name")
    func kinds() {
        func kind(_ bytes: [UInt8], _ ext: String = "") -> WrappedFileKind? {
            WrappedFileKind.detect(head: bytes, fileExtension: ext)
        }
        #expect(kind([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(kind([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(kind(Array("%PDF-1.7".utf8)) == .pdf)
        #expect(kind([0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 0, 0]) == .mp4)
        #expect(kind([0, 0, 1, 0xBA, 0x44]) == .mpeg2)
        #expect(kind(Array("<?xml version=\"1.0\"?><ClinicalDocument xmlns=\"urn:hl7-org:v3\">".utf8)) == .cda)
        #expect(kind(Array("solid part".utf8), "stl") == .stl)
        #expect(kind(Array("solid part".utf8), "txt") == nil)
        #expect(kind(Array("hello".utf8)) == nil)
    }

    @Test("wrapped files share a study, get a series per kind group and numbered instances")
    func wrapping() throws {
        var wrapper = try InstanceWrapper(assignments: [try AttributeAssignment(parsing: "PatientID=P1")])
        let a = wrapper.wrap(path: "/a.jpg", size: 10, kind: .jpeg, location: "bulk/1")
        let b = wrapper.wrap(path: "/b.png", size: 10, kind: .png, location: "bulk/2")
        let c = wrapper.wrap(path: "/c.pdf", size: 10, kind: .pdf, location: "bulk/3")
        let study = Tag(0x0020_000D)
        let series = Tag(0x0020_000E)
        #expect(a.metadata.string(study) == c.metadata.string(study))
        #expect(a.metadata.string(series) == b.metadata.string(series))
        #expect(a.metadata.string(series) != c.metadata.string(series))
        #expect(b.metadata.string(Tag(0x0020_0013)) == "2")
        #expect(c.metadata.string(Tag(0x0008_0016)) == "1.2.840.10008.5.1.4.1.1.104.1")
        #expect(c.metadata.string(Tag(0x0008_0060)) == "DOC" && a.metadata.string(Tag(0x0010_0020)) == "P1")
        guard case .bulk(let reference)? = c.metadata[Tag(0x0042_0011)]?.value else {
            Issue.record("no BulkDataURI for the document")
            return
        }
        #expect(reference.uri == "bulk/3" && c.bulk.contentLocation == "bulk/3" && c.bulk.contentType == .pdf)
        let part = InstanceWrapper.metadataPart([a.metadata, c.metadata])
        guard case .bytes(let json) = part.content else { return }
        let sets = try DICOMJSONDecoder.decodeArray(json)
        #expect(sets.count == 2 && sets[1].string(Tag(0x0008_0018)) == c.sopInstanceUID)
    }
}

@Suite("Wrapping with a template")
struct WrapTemplateTests {
    @Test("a SOP Instance UID in the template names the first file only")
    func namedInstance() throws {
        var template = DataSet()
        template.set(DataElement(Tag(0x0008_0018), .UI, bytes: Array("1.2.3.4".utf8)))
        var wrapper = try InstanceWrapper(template: template)
        #expect(wrapper.namesInstance)
        let first = wrapper.wrap(path: "/a.pdf", size: 1, kind: .pdf, location: "1")
        let second = wrapper.wrap(path: "/b.pdf", size: 1, kind: .pdf, location: "2")
        #expect(first.sopInstanceUID == "1.2.3.4" && first.metadata.string(Tag(0x0008_0018)) == "1.2.3.4")
        #expect(second.sopInstanceUID != "1.2.3.4" && second.metadata.string(Tag(0x0008_0018)) == second.sopInstanceUID)
    }

    @Test("text outside ASCII is refused when the template declares another character set")
    func characterSetConflict() throws {
        var template = DataSet()
        template.set(DataElement(Tag(0x0008_0005), .CS, bytes: Array("ISO_IR 100".utf8)))
        let name = try AttributeAssignment(parsing: "PatientName=Müller")
        #expect(throws: DICOMwebClientError.self) { try InstanceWrapper(template: template, assignments: [name]) }
        let ascii = try AttributeAssignment(parsing: "PatientName=Muller")
        #expect(
            try InstanceWrapper(template: template, assignments: [ascii]).base.string(Tag(0x0008_0005)) == "ISO_IR 100")
    }
}
