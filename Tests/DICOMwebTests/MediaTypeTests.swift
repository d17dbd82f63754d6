import DICOMweb
import Testing

@Suite struct MediaTypeTests {
    @Test func parsesParametersCaseInsensitivelyAndUnquotes() throws {
        let parsed = try #require(
            MediaType(#"Multipart/Related; TYPE="application/dicom"; Boundary="a\"b c"; transfer-syntax=1.2.3"#))
        #expect(parsed.type == "multipart" && parsed.subtype == "related")
        #expect(parsed[parameter: "type"] == "application/dicom")
        #expect(parsed[parameter: "BOUNDARY"] == #"a"b c"#)
        #expect(parsed[parameter: "transfer-syntax"] == "1.2.3")
        #expect(
            parsed.description
                == #"multipart/related; type="application/dicom"; boundary="a\"b c"; transfer-syntax=1.2.3"#)
        #expect(MediaType(parsed.description) == parsed)
    }

    @Test func rejectsMalformedMediaTypes() {
        for text in [
            "", "application", "application/", "/json", "application/json;", "a/b; x", "a/b; x=\"open", "a b/c",
        ]
        where text != "application/json;" {
            #expect(MediaType(text) == nil, "\(text)")
        }
        #expect(MediaType("application/json;") == .json)
        #expect(MediaType("application/dicom+json ; ; charset=utf-8")?[parameter: "charset"] == "utf-8")
    }

    @Test func constantsAndMultipartForm() {
        #expect(MediaType.dicomJSON.description == "application/dicom+json")
        #expect(MediaType.jphc.essence == "image/jphc")
        let multipart = MediaType.multipartRelated(type: .dicom, transferSyntax: "1.2.840.10008.1.2.1")
        #expect(
            multipart.description
                == #"multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1"#)
        #expect(multipart.removing(parameter: "Transfer-Syntax").parameters.count == 1)
    }
}
