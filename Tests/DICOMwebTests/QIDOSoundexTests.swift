import Testing

@testable import DICOMweb

/// American Soundex codes used by fuzzy person name matching.
@Suite struct QIDOSoundexTests {
    @Test(arguments: [
        ("Robert", "R163"), ("Rupert", "R163"), ("Rubin", "R150"), ("Ashcraft", "A261"), ("Ashcroft", "A261"),
        ("Tymczak", "T522"), ("Pfister", "P236"), ("Honeyman", "H555"), ("Meier", "M600"), ("Mayer", "M600"),
        ("Lee", "L000"), ("o'brien", "O165"),
    ])
    func codes(name: String, code: String) {
        #expect(QIDOSoundex.code(name) == code)
    }

    @Test func namesWithoutLatinLettersHaveNoCode() {
        #expect(QIDOSoundex.code("山田") == nil)
        #expect(QIDOSoundex.code("") == nil)
    }
}
