import DICOMCore
import DICOMDictionary
import Testing

@Suite struct DictionaryTests {
    /// The keyword fast path (read from the table line, no entry built) agrees with the full entry, for every
    /// single-tag entry.
    @Test func keywordFastPathAgreesWithEntries() {
        for entry in DataDictionary.allEntries where entry.mask == 0xFFFF_FFFF {
            let expected = entry.keyword.isEmpty ? nil : entry.keyword
            #expect(DataDictionary.keyword(for: entry.tag) == expected, "\(entry.tag)")
        }
    }

    @Test func patientNameBothWays() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0010_0010)))
        #expect(entry.tag == Tag(0x0010_0010))
        #expect(entry.mask == 0xFFFF_FFFF)
        #expect(entry.vrs == [.PN])
        #expect(entry.vm == "1")
        #expect(entry.keyword == "PatientName")
        #expect(entry.name == "Patient's Name")
        #expect(!entry.isRetired && !entry.isRepeating)
        #expect(DataDictionary.tag(forKeyword: "PatientName") == Tag(0x0010_0010))
        #expect(DataDictionary.keyword(for: Tag(0x0010_0010)) == "PatientName")
        #expect(DataDictionary.vr(for: Tag(0x0010_0010)) == .PN)
        #expect(Tag(0x0010_0010).keyword == "PatientName")
        #expect(Tag(keyword: "PatientID") == Tag(0x0010_0020))
        #expect(DataDictionary.tag(forKeyword: "patientname") == nil)
        #expect(DataDictionary.tag(forKeyword: "NoSuchKeyword") == nil)
    }

    @Test func retiredTag() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0008_0040)))
        #expect(entry.keyword == "DataSetType")
        #expect(entry.isRetired)
        #expect(entry.vrs == [.US])
        // Retired elements without a keyword still resolve, with an empty keyword.
        let blank = try #require(DataDictionary.entry(for: Tag(0x0008_0202)))
        #expect(blank.isRetired && blank.keyword.isEmpty)
        #expect(DataDictionary.keyword(for: Tag(0x0008_0202)) == nil)
    }

    @Test func multipleVRs() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0028_0106)))
        #expect(entry.keyword == "SmallestImagePixelValue")
        #expect(entry.vrs == [.US, .SS])
        #expect(DataDictionary.vr(for: Tag(0x0028_0106)) == .US)
        #expect(DataDictionary.entry(for: .pixelData)?.vrs == [.OB, .OW])
        #expect(DataDictionary.entry(for: Tag(0x0028_1201))?.vrs == [.OW])
    }

    @Test func itemTagsHaveNoVR() throws {
        let item = try #require(DataDictionary.entry(for: .item))
        #expect(item.keyword == "Item" && item.vrs.isEmpty && item.vr == nil)
        #expect(DataDictionary.vr(for: .sequenceDelimitation) == nil)
        #expect(DataDictionary.keyword(for: .itemDelimitation) == "ItemDelimitationItem")
    }

    @Test func repeatingGroups() throws {
        let overlay = try #require(DataDictionary.entry(for: Tag(0x6002_3000)))
        #expect(overlay.keyword == "OverlayData")
        #expect(overlay.vrs == [.OB, .OW])
        #expect(overlay.tag == Tag(0x6000_3000))
        #expect(overlay.mask == 0xFF00_FFFF)
        #expect(overlay.isRepeating && overlay.matches(Tag(0x601E_3000)))
        #expect(overlay.tagPattern == "(60xx,3000)")
        #expect(DataDictionary.tag(forKeyword: "OverlayData") == Tag(0x6000_3000))
        #expect(DataDictionary.keyword(for: Tag(0x6000_0010)) == "OverlayRows")
        #expect(DataDictionary.keyword(for: Tag(0x5004_3000)) == "CurveData")
        // Exact entries win over masked ones: (7FE0,0010) is Pixel Data, not (7Fxx,0010) Variable Pixel Data.
        #expect(DataDictionary.keyword(for: .pixelData) == "PixelData")
        #expect(DataDictionary.keyword(for: Tag(0x7F02_0010)) == "VariablePixelData")
        // Other masks: (0020,31xx) and (1000,xxx3).
        #expect(DataDictionary.keyword(for: Tag(0x0020_3105)) == "SourceImageIDs")
        #expect(DataDictionary.keyword(for: Tag(0x1000_0123)) == "HuffmanTableTriplet")
        // Odd groups are private: (6001,3000) is not Overlay Data.
        #expect(DataDictionary.entry(for: Tag(0x6001_3000)) == nil)
    }

    @Test func groupLength() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0010_0000)))
        #expect(entry.vrs == [.UL] && entry.name == "Group Length" && entry.keyword.isEmpty)
        #expect(entry.tag == Tag(0x0010_0000) && entry.isRetired)
        #expect(DataDictionary.vr(for: Tag(0x0009_0000)) == .UL)
        // The registry's own group lengths keep their names.
        #expect(DataDictionary.keyword(for: .fileMetaInformationGroupLength) == "FileMetaInformationGroupLength")
        #expect(DataDictionary.keyword(for: Tag(0x0000_0000)) == "CommandGroupLength")
    }

    @Test func privateCreator() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0029_0010)))
        #expect(entry.vrs == [.LO] && entry.name == "Private Creator" && entry.vm == "1")
        #expect(DataDictionary.vr(for: Tag(0x0009_00FF)) == .LO)
        #expect(DataDictionary.entry(for: Tag(0x0029_1010)) == nil)  // needs its creator
        #expect(DataDictionary.entry(for: Tag(0x0029_0001)) == nil)
        #expect(DataDictionary.entry(for: Tag(0x0010_9999)) == nil)
    }

    @Test func entryCounts() {
        let all = DataDictionary.allEntries
        #expect(all.count > 4000)
        #expect(all.count == 5091 + 88)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.tag <= $1.tag })
        #expect(all.allSatisfy { $0.tag.rawValue & $0.mask == $0.tag.rawValue })
        #expect(DataDictionary.sourceVersion == "pydicom 3.0.1")
    }

    @Test func everyKeywordRoundTrips() {
        for entry in DataDictionary.allEntries where !entry.keyword.isEmpty {
            #expect(DataDictionary.tag(forKeyword: entry.keyword) == entry.tag)
            #expect(entry.matches(entry.tag))
            if !entry.isRepeating { #expect(DataDictionary.entry(for: entry.tag) == entry) }
        }
    }

    @Test func maskedBaseTagsShadowedByOtherElements() {
        // (0028,04x0) Rows For Nth Order Coefficients has base tag (0028,0400), which is Transform Label.
        #expect(DataDictionary.tag(forKeyword: "RowsForNthOrderCoefficients") == Tag(0x0028_0400))
        #expect(DataDictionary.keyword(for: Tag(0x0028_0400)) == "TransformLabel")
        #expect(DataDictionary.keyword(for: Tag(0x0028_0410)) == "RowsForNthOrderCoefficients")
        // Group lengths come before masked entries: (1000,0000) is not (1000,xxx0) Escape Triplet.
        #expect(DataDictionary.entry(for: Tag(0x1000_0000))?.name == "Group Length")
        #expect(DataDictionary.keyword(for: Tag(0x1000_0010)) == "EscapeTriplet")
    }

    @Test func uidRegistry() throws {
        let jpeg = try #require(UIDRegistry.entry(for: "1.2.840.10008.1.2.4.50"))
        #expect(jpeg.name == "JPEG Baseline (Process 1)")
        #expect(jpeg.keyword == "JPEGBaseline8Bit")
        #expect(jpeg.type == "Transfer Syntax" && !jpeg.isRetired)
        #expect(UIDRegistry.uid(forKeyword: "JPEGBaseline8Bit") == "1.2.840.10008.1.2.4.50")
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2.4.50\0")?.keyword == "JPEGBaseline8Bit")
        #expect(UIDRegistry.entry(for: "1.2.3.4") == nil)
        #expect(UIDRegistry.entry(for: "1.2.840.10008.1.2.2")?.isRetired == true)

        let ct = try #require(UIDRegistry.entry(for: "1.2.840.10008.5.1.4.1.1.2"))
        #expect(ct.name == "CT Image Storage" && ct.keyword == "CTImageStorage" && ct.type == "SOP Class")

        let syntaxes = UIDRegistry.transferSyntaxes
        #expect(syntaxes.count > 40)
        #expect(syntaxes.allSatisfy { $0.type == UIDEntry.transferSyntaxType })
        #expect(syntaxes.contains { $0.uid == TransferSyntax.explicitVRLittleEndian.uid })
        #expect(UIDRegistry.allEntries.count > 400)
        #expect(UIDRegistry.allEntries.contains { $0.type == "Well-known SOP Instance" })

        #expect(TransferSyntax.explicitVRLittleEndian.name == "Explicit VR Little Endian")
        #expect(TransferSyntax(uid: "1.2.840.10008.1.2.4.50").name == "JPEG Baseline (Process 1)")
        #expect(TransferSyntax(uid: "1.2.3.4").name == nil)
    }

    @Test func privateDictionary() throws {
        let csa = try #require(
            PrivateDictionary.entry(creator: "SIEMENS CSA HEADER", group: 0x0029, elementOffset: 0x10))
        #expect(csa.name == "CSA Image Header Info")
        #expect(csa.vrs == [.OB] && csa.vm == "1" && csa.keyword.isEmpty)
        #expect(csa.tag == Tag(0x0029_0010) && csa.mask == 0xFFFF_00FF)
        // Any block of the creator: (0029,1010) and (0029,1110) alike; LO padding of the creator is ignored.
        #expect(PrivateDictionary.entry(creator: "SIEMENS CSA HEADER ", tag: Tag(0x0029_1110)) == csa)
        #expect(PrivateDictionary.entry(creator: "SIEMENS CSA HEADER", tag: Tag(0x0029_1010)) == csa)
        #expect(PrivateDictionary.entry(creator: "siemens csa header", group: 0x0029, elementOffset: 0x10) == csa)
        #expect(PrivateDictionary.entry(creator: "SIEMENS CSA HEADER", group: 0x0029, elementOffset: 0x11) == nil)
        #expect(PrivateDictionary.entry(creator: "SIEMENS CSA HEADER", group: 0x0031, elementOffset: 0x10) == nil)
        #expect(PrivateDictionary.entry(creator: "NO SUCH CREATOR", group: 0x0029, elementOffset: 0x10) == nil)

        let fov = try #require(PrivateDictionary.entry(creator: "GEMS_ACQU_01", group: 0x0019, elementOffset: 0x1E))
        #expect(fov.name == "Display field of view" && fov.vrs == [.DS])

        // (60xx,xxee): any overlay group.
        let rows = try #require(PrivateDictionary.entry(creator: "PAPYRUS 3.0", group: 0x6003, elementOffset: 0x10))
        #expect(rows.name == "Overlay Rows" && rows.mask == 0xFF00_00FF)

        // pydicom's offset-only (gggg,00ee) keys are matched in any block.
        let canon = try #require(PrivateDictionary.entry(creator: "CANON_MEC_MR3^10", tag: Tag(0x0019_1010)))
        #expect(canon.vrs == [.US] && canon.vm == "2" && canon.tag == Tag(0x0019_0010))

        // Explicit-block entries: by full tag, the exact entry wins over the (gggg,xxee) one; by offset, the
        // (gggg,xxee) entry wins, and an explicit-block entry serves when there is no other.
        let dlp = try #require(PrivateDictionary.entry(creator: "ELSCINT1", tag: Tag(0x00E1_1021)))
        #expect(dlp.name == "DLP" && dlp.mask == 0xFFFF_FFFF)
        #expect(PrivateDictionary.entry(creator: "ELSCINT1", group: 0x00E1, elementOffset: 0x21)?.name == "Unknown")
        #expect(PrivateDictionary.entry(creator: "ELSCINT1", tag: Tag(0x00E1_1121))?.name == "Unknown")
        let split = try #require(PrivateDictionary.entry(creator: "ELSCINT1", group: 0x00E1, elementOffset: 0x3E))
        #expect(split.name == "Split Is Dual Surview" && split.tag == Tag(0x00E1_103E))
        #expect(PrivateDictionary.entry(creator: "ELSCINT1", tag: Tag(0x00E1_113E)) == split)
        // (0019,10xx) "Private Element Creator" style keys are kept but never matched.
        #expect(PrivateDictionary.entries(creator: "GEMS_ACQU_01").contains { $0.mask == 0xFFFF_FF00 })
        #expect(PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0019_10FE)) == nil)

        #expect(PrivateDictionary.creators.count > 400)
        #expect(PrivateDictionary.creators.contains("SIEMENS CSA HEADER"))
        #expect(PrivateDictionary.entries(creator: "SIEMENS CSA HEADER").count == 6)
    }
}
