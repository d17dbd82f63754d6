import DICOMBinary
import DICOMCore

/// A Structured Report's content tree as text (the Text category of PS3.18 §8.7.2, for WADO-URI's `text/plain`
/// and `text/html`): the document title, then each content item as "concept: value", nested items indented,
/// from the Content Sequence (PS3.3 §C.17.3). Values: TEXT, CODE (meaning), NUM (value and units), DATE, TIME,
/// DATETIME, PNAME, UIDREF; containers by their concept name; references by the SOP Instance they name.
public enum StructuredReportText {
    /// Whether `dataSet` is a Structured Report (it has a Value Type and a Content Sequence at the top).
    public static func isReport(_ dataSet: DataSet) -> Bool {
        dataSet.string(Tag.valueType) != nil && dataSet[Tag.contentSequence] != nil
    }

    /// The lines of the report, each with its depth.
    public static func lines(_ dataSet: DataSet) -> [(depth: Int, text: String)] {
        var out: [(Int, String)] = []
        let title = concept(dataSet) ?? "Structured Report"
        out.append((0, title))
        for item in dataSet[Tag.contentSequence]?.value.items ?? [] { walk(item, depth: 1, into: &out) }
        return out
    }

    /// Plain text: two spaces per level.
    public static func plain(_ dataSet: DataSet) -> String {
        lines(dataSet).map { String(repeating: "  ", count: $0.depth) + $0.text }.joined(separator: "\n") + "\n"
    }

    /// A small HTML document: the title as a heading, the items as nested lists, every text escaped.
    public static func html(_ dataSet: DataSet) -> String {
        let all = lines(dataSet)
        var out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(escape(all[0].text))</title></head>"
        out += "<body><h1>\(escape(all[0].text))</h1>\n"
        var depth = 0
        for (level, text) in all.dropFirst() {
            while depth < level {
                out += "<ul>"
                depth += 1
            }
            while depth > level {
                out += "</ul>"
                depth -= 1
            }
            out += "<li>\(escape(text))</li>\n"
        }
        out += String(repeating: "</ul>", count: depth) + "</body></html>\n"
        return out
    }

    private static func walk(_ item: DataSet, depth: Int, into out: inout [(Int, String)]) {
        let name = concept(item)
        let value = valueText(item)
        let text = [name, value].compactMap { $0 }.joined(separator: ": ")
        if !text.isEmpty { out.append((depth, text)) }
        for child in item[Tag.contentSequence]?.value.items ?? [] { walk(child, depth: depth + 1, into: &out) }
    }

    private static func concept(_ item: DataSet) -> String? {
        item[Tag.conceptNameCodeSequence]?.value.items?.first?.string(Tag.codeMeaning)
    }

    private static func valueText(_ item: DataSet) -> String? {
        switch item.string(Tag.valueType) {
        case "TEXT": return item.string(Tag.textValue)
        case "CODE": return item[Tag.conceptCodeSequence]?.value.items?.first?.string(Tag.codeMeaning)
        case "NUM":
            guard let measured = item[Tag.measuredValueSequence]?.value.items?.first else { return nil }
            let number = measured.string(Tag.numericValue) ?? ""
            let units = measured[Tag.measurementUnitsCodeSequence]?.value.items?.first?.string(Tag.codeValue) ?? ""
            return units.isEmpty || units == "1" ? number : "\(number) \(units)"
        case "DATE": return item.string(Tag.date)
        case "TIME": return item.string(Tag.time)
        case "DATETIME": return item.string(Tag.dateTime)
        case "PNAME": return item.string(Tag.personName)?.replacing("^", with: " ")
        case "UIDREF": return item.string(Tag.uid)
        case "IMAGE", "COMPOSITE", "WAVEFORM":
            return item[Tag.referencedSOPSequence]?.value.items?.first?.string(Tag.referencedSOPInstanceUID).map {
                "instance " + $0
            }
        default: return nil
        }
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
