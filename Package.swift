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
        .library(name: "DICOMImaging", targets: ["DICOMImaging"]),
        .library(name: "Archive", targets: ["Archive"]),
        .library(name: "DICOMwebClient", targets: ["DICOMwebClient"]),
        .executable(name: "lantern", targets: ["lantern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", exact: "2.8.1"),
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
        // C bindings to the codec libraries Debian packages (Scripts/install-deps): libjpeg-turbo, GDCM's IJG
        // builds (12-bit and lossless JPEG), OpenJPEG and CharLS. C because IJG reports errors by longjmp.
        .target(
            name: "CLanternCodecs",
            linkerSettings: [
                .linkedLibrary("turbojpeg"), .linkedLibrary("gdcmjpeg8"), .linkedLibrary("gdcmjpeg12"),
                .linkedLibrary("gdcmjpeg16"), .linkedLibrary("openjp2"), .linkedLibrary("charls"),
            ]),
        // HTJ2K encoding through OpenJPH, whose interface is C++ (its pkg-config file is empty: linked by name).
        .target(name: "CLanternOpenJPH", linkerSettings: [.linkedLibrary("openjph")]),
        // Pixel data: frame geometry, the codecs (RLE in Swift, the others through CLanternCodecs and
        // CLanternOpenJPH) and the event-stream transcoders that decode and encode frames one at a time.
        .target(
            name: "DICOMImaging",
            dependencies: ["DICOMCore", "DICOMDictionary", "DICOMBinary", "CLanternCodecs", "CLanternOpenJPH"],
            swiftSettings: strictSwift6),
        // Transport-free PS3.18 model shared by the server and the client: media types and Accept
        // negotiation, the multipart/related codec, the QIDO-RS query model.
        .target(
            name: "DICOMweb", dependencies: ["DICOMCore", "DICOMDictionary", "CZlib"], swiftSettings: strictSwift6),
        // The archive core: ingest analysis, services and the ports (IndexStore, BlobStore) the adapters
        // implement. No HTTP, no SQL (ARCHITECTURE §2).
        .target(
            name: "Archive",
            dependencies: [
                "DICOMCore", "DICOMDictionary", "DICOMBinary", "DICOMJSON", "DICOMXML", "DICOMweb", "DICOMImaging",
                "CZlib", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6),
        // Adapters: the embedded index on SQLite (GRDB) and the blob folder.
        .target(
            name: "ArchiveSQLite",
            dependencies: ["Archive", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift6),
        .target(
            name: "ArchiveFileSystem",
            dependencies: [
                "Archive", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6),
        // The HTTP layer: one controller per DICOMweb transaction, middleware, `buildApplication`.
        .target(
            name: "LanternServer",
            dependencies: [
                "Archive", "DICOMweb", "DICOMImaging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6),
        // The DICOMweb client (PS3.18 STOW-RS, QIDO-RS, WADO-RS) on AsyncHTTPClient, streaming both ways; it
        // shares the `DICOMweb` model (media types, multipart codec) with the server.
        .target(
            name: "DICOMwebClient",
            dependencies: [
                "DICOMCore", "DICOMDictionary", "DICOMBinary", "DICOMJSON", "DICOMXML", "DICOMweb",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSwift6),
        .target(
            name: "LanternCLI",
            dependencies: [
                "DICOMwebClient",
                "DICOMCore", "DICOMDictionary", "DICOMBinary", "DICOMJSON", "DICOMXML",
                "Archive", "ArchiveSQLite", "ArchiveFileSystem", "LanternServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift6),
        .executableTarget(
            name: "lantern",
            dependencies: ["LanternCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSwift6),
        // Fuzz targets: a replay tool normally; with `-DLANTERN_FUZZ -sanitize=fuzzer` a libFuzzer binary.
        .executableTarget(
            name: "lantern-fuzz", dependencies: ["DICOMBinary", "DICOMJSON", "DICOMXML", "DICOMweb", "DICOMImaging"],
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
            name: "ArchiveTests",
            dependencies: ["Archive", "ArchiveSQLite", "ArchiveFileSystem", "LanternTestSupport"],
            swiftSettings: strictSwift6),
        .testTarget(
            name: "DICOMImagingTests", dependencies: ["DICOMImaging", "DICOMBinary", "LanternTestSupport"],
            swiftSettings: strictSwift6),
        .testTarget(
            name: "DICOMXMLTests", dependencies: ["DICOMXML", "LanternTestSupport"], swiftSettings: strictSwift6),
        // The configuration table of `lantern serve` against its options and docs/server.md.
        .testTarget(
            name: "LanternCLITests",
            dependencies: ["LanternCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSwift6),
        .testTarget(
            name: "DICOMwebClientTests",
            dependencies: [
                "DICOMwebClient", "DICOMBinary", "DICOMJSON", "LanternTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6),
        // In-process HTTP tests of the server (HummingbirdTesting): the application `LanternApplication.build`
        // makes for `lantern serve`, on a temporary data folder.
        .testTarget(
            name: "LanternServerTests",
            dependencies: [
                "LanternServer", "Archive", "ArchiveSQLite", "ArchiveFileSystem", "DICOMCore", "DICOMBinary",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strictSwift6),
    ],
    cxxLanguageStandard: .cxx17
)
