// swift-tools-version:6.0
import PackageDescription

let strictSwift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Lantern",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "DICOMCore", targets: ["DICOMCore"]),
        .library(name: "DICOMDictionary", targets: ["DICOMDictionary"]),
        .library(name: "DICOMBinary", targets: ["DICOMBinary"]),
        .library(name: "DICOMJSON", targets: ["DICOMJSON"]),
        .library(name: "DICOMXML", targets: ["DICOMXML"]),
        .library(name: "DICOMweb", targets: ["DICOMweb"]),
        .executable(name: "lantern", targets: ["lantern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "DICOMCore", swiftSettings: strictSwift6,
            // glibc has iconv built in; macOS ships it as a separate library.
            linkerSettings: [.linkedLibrary("iconv", .when(platforms: [.macOS]))]),
        .target(name: "DICOMDictionary", dependencies: ["DICOMCore"], swiftSettings: strictSwift6),
        .target(
            name: "DICOMBinary", dependencies: ["DICOMCore", "DICOMDictionary", "CZlib"],
            swiftSettings: strictSwift6),
        .target(name: "DICOMJSON", dependencies: ["DICOMBinary"], swiftSettings: strictSwift6),
        .target(name: "DICOMXML", dependencies: ["DICOMBinary"], swiftSettings: strictSwift6),
        // Transport-free PS3.18 model shared by the server and the client: media types and Accept
        // negotiation, the multipart/related codec, the QIDO-RS query model.
        .target(name: "DICOMweb", dependencies: ["DICOMCore", "DICOMDictionary"], swiftSettings: strictSwift6),
        .target(
            name: "LanternCLI",
            dependencies: [
                "DICOMCore", "DICOMDictionary", "DICOMBinary", "DICOMJSON", "DICOMXML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift6),
        .executableTarget(name: "lantern", dependencies: ["LanternCLI"], swiftSettings: strictSwift6),
        // Fuzz targets: a replay tool normally; with `-DLANTERN_FUZZ -sanitize=fuzzer` a libFuzzer binary.
        .executableTarget(
            name: "lantern-fuzz", dependencies: ["DICOMBinary", "DICOMJSON", "DICOMXML", "DICOMweb"],
            path: "Sources/LanternFuzz",
            swiftSettings: strictSwift6),
        .testTarget(
            name: "DICOMCoreTests", dependencies: ["DICOMCore", "DICOMDictionary"], swiftSettings: strictSwift6),
        // Corpus location and comparison helpers shared by the test targets.
        .target(
            name: "LanternTestSupport", dependencies: ["DICOMBinary"], path: "Tests/Support",
            swiftSettings: strictSwift6),
        .testTarget(
            name: "DICOMwebTests", dependencies: ["DICOMweb", "LanternTestSupport"], swiftSettings: strictSwift6),
        .testTarget(
            name: "DICOMBinaryTests", dependencies: ["DICOMBinary", "DICOMJSON", "DICOMXML", "LanternTestSupport"],
            swiftSettings: strictSwift6),
        .testTarget(
            name: "DICOMXMLTests", dependencies: ["DICOMXML", "LanternTestSupport"], swiftSettings: strictSwift6),
    ]
)
