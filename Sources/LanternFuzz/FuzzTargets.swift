import DICOMBinary
import DICOMImaging
import DICOMJSON
import DICOMXML
import DICOMweb

#if canImport(Glibc)
    import Glibc
#endif

/// The inputs the fuzzers exercise: the Part 10 parser (with tiny chunks, so every state boundary is hit),
/// the DICOM JSON decoder, the Native DICOM Model XML decoder, the QIDO query parser, the multipart splitter, the
/// RLE codec and the library codecs (JPEG, JPEG-LS, JPEG 2000 through their C bindings). Every input must end in a value or a thrown error; a crash, hang or runaway allocation is a
/// bug.
enum FuzzTargets {
    enum Target: String { case parser, json, xml, qido, multipart, rle, codecs }

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
        case .rle:
            rle(data)
        case .codecs:
            codecs(data)
        }
    }

    /// The transfer syntaxes the `codecs` target picks from.
    static let codecSyntaxes = [
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
        "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.203",
    ]

    /// Library codecs: six bytes pick the transfer syntax, rows and columns (up to 1024 each), and bits
    /// allocated, samples and signedness; the rest is one encoded frame. A frame that decodes in a lossless
    /// syntax must encode and decode to the same native frame.
    static func codecs(_ data: [UInt8]) {
        guard data.count >= 6 else { return }
        let syntax = codecSyntaxes[Int(data[0]) % codecSyntaxes.count]
        let bits = data[5] & 1 == 0 ? 8 : 16
        let geometry = FrameGeometry(
            rows: (Int(data[1]) << 8 | Int(data[2])) % 1024 + 1, columns: (Int(data[3]) << 8 | Int(data[4])) % 1024 + 1,
            samplesPerPixel: data[5] & 2 == 0 ? 1 : 3, bitsAllocated: bits,
            bitsStored: data[5] & 4 == 0 ? bits : bits - 4, pixelRepresentation: Int(data[5] >> 3 & 1),
            photometricInterpretation: data[5] & 2 == 0 ? "MONOCHROME2" : "RGB")
        guard let native = try? FrameCodecs.decode(Array(data[6...]), transferSyntaxUID: syntax, geometry: geometry)
        else { return }
        let output = FrameCodecs.decodedGeometry(geometry, from: syntax)
        guard FrameCodecs.lossyMethod(syntax) == nil, FrameCodecs.canEncode(syntax),
            (try? FrameCodecs.checkEncodable(output, in: syntax)) != nil
        else { return }
        guard let encoded = try? FrameCodecs.encode(native, transferSyntaxUID: syntax, geometry: output),
            let again = try? FrameCodecs.decode(encoded, transferSyntaxUID: syntax, geometry: output), again == native
        else { fatalError("\(syntax) round trip changed a decoded frame") }
    }

    /// RLE: four bytes pick the geometry (rows, columns, samples / photometric / planar configuration, bits,
    /// 1-bit and 4:2:2 among them), the rest is one encoded frame. A frame that decodes must encode and decode to
    /// the same native frame.
    static func rle(_ data: [UInt8]) {
        guard data.count >= 4 else { return }
        let bits = [8, 16, 32, 1][Int(data[3] % 4)]
        let geometry = FrameGeometry(
            rows: Int(data[0] % 128) + 1, columns: Int(data[1] % 128) + 1, samplesPerPixel: data[2] % 2 == 0 ? 1 : 3,
            bitsAllocated: bits, bitsStored: bits, planarConfiguration: Int(data[2] >> 2 & 1),
            photometricInterpretation: data[2] & 2 == 0 ? "MONOCHROME2" : "YBR_FULL_422")
        guard let native = try? RLECodec.decode(Array(data[4...]), geometry: geometry) else { return }
        guard let encoded = try? RLECodec.encode(native, geometry: geometry),
            let again = try? RLECodec.decode(encoded, geometry: geometry), again == native
        else { fatalError("RLE round trip changed a decoded frame") }
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
