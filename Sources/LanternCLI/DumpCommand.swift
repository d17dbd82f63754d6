import ArgumentParser
import DICOMBinary
import DICOMJSON
import DICOMXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `lantern dump FILE`: prints a DICOM file as a readable dump, DICOM JSON (PS3.18 Annex F) or Native
/// DICOM Model XML (PS3.19 A.1), streaming from the parser so files of any size print in bounded memory.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print a DICOM file as text, DICOM JSON or Native DICOM Model XML.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, xml
    }

    @Argument(help: "The DICOM file (Part 10, or a bare data set).")
    var file: String

    @Option(help: "Output format: text, json (one Annex F object, binary as InlineBinary) or xml.")
    var format: Format = .text

    @Flag(help: "Stop at the Pixel Data element: read only the header, whatever the size of the pixels.")
    var stopAtPixelData = false

    func run() throws {
        let out = StandardOutput()
        do {
            switch format {
            case .text:
                var dump = TextDump()
                let warnings = try DICOMReader.events(contentsOf: file, stopAtPixelData: stopAtPixelData) { event in
                    for line in dump.lines(for: event) { out.write(line + "\n") }
                }
                for w in warnings { StandardError.write("warning: \(w)\n") }
            case .json:
                var encoder = DICOMJSONEncoder()
                let warnings = try DICOMReader.events(contentsOf: file, stopAtPixelData: stopAtPixelData) { event in
                    encoder.consume(event)
                    out.write(encoder.takeOutput())
                }
                out.write("\n")
                for w in warnings { StandardError.write("warning: \(w)\n") }
                for w in encoder.warnings { StandardError.write("warning: \(w)\n") }
            case .xml:
                var encoder = NativeXMLEncoder()
                let warnings = try DICOMReader.events(contentsOf: file, stopAtPixelData: stopAtPixelData) { event in
                    encoder.consume(event)
                    out.write(encoder.takeOutput())
                }
                for w in warnings { StandardError.write("warning: \(w)\n") }
                for w in encoder.warnings { StandardError.write("warning: \(w)\n") }
            }
            out.flush()
        } catch {
            out.flush()
            StandardError.write("error: \(file): \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// Buffered standard output.
final class StandardOutput {
    private var buffer: [UInt8] = []

    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        _ = buffer.withUnsafeBytes { writeAll(1, $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// Standard error.
enum StandardError {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { writeAll(2, $0) }
    }
}
