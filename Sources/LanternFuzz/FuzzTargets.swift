import DICOMBinary
import DICOMJSON
import DICOMXML
import DICOMweb

#if canImport(Glibc)
    import Glibc
#endif

/// The inputs the fuzzers exercise: the Part 10 parser (with tiny chunks, so every state boundary is hit),
/// the DICOM JSON decoder and the Native DICOM Model XML decoder. Every input must end in a value or a
/// thrown error; a crash, hang or runaway allocation is a bug.
enum FuzzTargets {
    enum Target: String { case parser, json, xml, qido, multipart }

    static func run(_ target: Target, _ data: [UInt8]) {
        switch target {
        case .parser:
            var options = ParserOptions()
            options.materializeLimit = 4096
            if let file = try? DICOMReader.read(data, options: options, chunkSize: 7) {
                // Whatever parses must also write and encode.
                _ = try? DICOMWriter.part10(file.dataSet, fileMeta: file.fileMeta)
                _ = DICOMJSONEncoder.encode(file.dataSet)
            }
        case .json:
            if let dataSet = try? DICOMJSONDecoder.decode(data) { _ = DICOMJSONEncoder.encode(dataSet) }
        case .xml:
            if let dataSet = try? NativeXMLDecoder.decode(data) { _ = DICOMJSONEncoder.encode(dataSet) }
        case .qido:
            QIDOFuzz.run(data)
        case .multipart:
            MultipartFuzz.run(data)
        }
    }

    static let selected: Target = {
        let name = getenv("LANTERN_FUZZ_TARGET").map { String(cString: $0) } ?? "parser"
        return Target(rawValue: name) ?? .parser
    }()
}

#if LANTERN_FUZZ
    /// libFuzzer's driver (compiler-rt), started from our entry point because SwiftPM links executables with
    /// `main` aliased to `lantern_fuzz_main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    /// Entry point of the libFuzzer build (`Scripts/fuzz.sh` builds with `-sanitize=fuzzer -DLANTERN_FUZZ`).
    @_cdecl("lantern_fuzz_main")
    func fuzzMain(
        _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> Int32 {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments) { start, size in fuzzOneInput(start, size) }
    }

    /// libFuzzer's per-input callback.
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let data = start.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        FuzzTargets.run(FuzzTargets.selected, data)
        return 0
    }
#else
    /// Without libFuzzer: replays the files given as arguments through the selected target (for
    /// reproducing a crash found by a fuzz run).
    @main struct FuzzReplay {
        static func main() {
            for path in CommandLine.arguments.dropFirst() {
                guard let f = fopen(path, "rb") else { continue }
                var data: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
                    if n == 0 { break }
                    data += buffer[0..<n]
                }
                fclose(f)
                FuzzTargets.run(FuzzTargets.selected, data)
                print("ok \(path)")
            }
        }
    }
#endif
