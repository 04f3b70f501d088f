// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-dht",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DHTCrypto", targets: ["DHTCrypto"]),
        .library(name: "Kademlia", targets: ["Kademlia"]),
        .library(name: "Blocks", targets: ["Blocks"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .executable(name: "dhtnode", targets: ["DHTNodeCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // System libraries, found with pkg-config (Debian: libsodium-dev, libssl-dev).
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        // Identity keys, SHA-256, constant-time comparison.
        .target(name: "DHTCrypto", dependencies: ["CSodium", "COpenSSL"]),

        // Sans-I/O Kademlia core: IDs, routing table, lookups, record stores.
        .target(
            name: "Kademlia",
            dependencies: [
                "DHTCrypto",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // CIDs, multiformats, dag-pb, UnixFS DAGs, block stores.
        .target(name: "Blocks", dependencies: ["DHTCrypto"]),

        // Deterministic discrete-event simulator that drives the Kademlia core.
        .target(
            name: "Simulator",
            dependencies: [
                "Kademlia",
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),

        // The `dhtnode` executable.
        .executableTarget(
            name: "DHTNodeCLI",
            dependencies: [
                "Simulator",
                "Kademlia",
                "Blocks",
                "DHTCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "DHTCryptoTests", dependencies: ["DHTCrypto"]),
        .testTarget(name: "KademliaTests", dependencies: ["Kademlia"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator"]),
        .testTarget(name: "BlocksTests", dependencies: ["Blocks", "DHTCrypto", "CSodium"]),
    ],
    swiftLanguageModes: [.v6]
)
