// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-dht",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DHTCrypto", targets: ["DHTCrypto"]),
        .library(name: "Kademlia", targets: ["Kademlia"]),
        .library(name: "Blocks", targets: ["Blocks"]),
        .library(name: "Names", targets: ["Names"]),
        .library(name: "SecureChannel", targets: ["SecureChannel"]),
        .library(name: "Exchange", targets: ["Exchange"]),
        .library(name: "Rendezvous", targets: ["Rendezvous"]),
        .library(name: "Relay", targets: ["Relay"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "DHTNode", targets: ["DHTNode"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        .library(name: "DHTDaemon", targets: ["DHTDaemon"]),
        .executable(name: "dhtnode", targets: ["DHTNodeCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
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
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),

        // CIDs, multiformats, dag-pb, UnixFS DAGs, block stores.
        .target(name: "Blocks", dependencies: ["DHTCrypto"]),

        // IPNS names and records: signed mutable pointers (protobuf IpnsEntry, DAG-CBOR data, Ed25519), made and
        // validated as ipfs/specs `ipns/ipns-record` says. No I/O, no clock: the caller passes `now`.
        .target(name: "Names", dependencies: ["Blocks", "DHTCrypto"]),

        // Sans-I/O secure channel: the authenticated handshake (Ed25519, X25519, swarm key) and AEAD frames.
        .target(name: "SecureChannel", dependencies: ["DHTCrypto"]),

        // Sans-I/O bitswap-style block exchange: message codec, server, fetch sessions, windows, ledgers.
        .target(
            name: "Exchange",
            dependencies: [
                "Blocks",
                "DHTCrypto",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // Sans-I/O session rendezvous: which time-window blocks to provide, when to look them up, whom to connect to.
        .target(
            name: "Rendezvous",
            dependencies: ["Kademlia", "Blocks"]
        ),

        // Sans-I/O relays for nodes behind NATs: the relay service's core (reservations, circuits, caps) and a
        // private node's reservations; the wire format of their messages.
        .target(name: "Relay", dependencies: ["Kademlia", "DHTCrypto"]),

        // Deterministic discrete-event simulator that drives the Kademlia core.
        .target(
            name: "Simulator",
            dependencies: [
                "Kademlia",
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),

        // A DHT node on real UDP sockets: the datagram endpoint (wire, tokens, limits, proofs; sans-I/O) and the
        // SwiftNIO shell that drives it, behind the public `Node` API.
        .target(
            name: "DHTNode",
            dependencies: [
                "Kademlia",
                "Relay",
                "Rendezvous",
                "DHTCrypto",
                "SecureChannel",
                "Exchange",
                "Blocks",
                "Names",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),

        // Sans-I/O IPFS HTTP gateway: requests parsed and checked, paths resolved, CAR responses walked, content
        // types, listings (ipfs/specs: path, trustless and subdomain gateways). The daemon serves it.
        .target(
            name: "Gateway",
            dependencies: [
                "Blocks",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),

        // The long-running `dhtnode run` service: persistence, the block repository, the local control API
        // (Hummingbird), /metrics.
        .target(
            name: "DHTDaemon",
            dependencies: [
                "DHTNode",
                "Gateway",
                "Relay",
                "Rendezvous",
                "Kademlia",
                "Blocks",
                "Exchange",
                "DHTCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // The `dhtnode` executable.
        .executableTarget(
            name: "DHTNodeCLI",
            dependencies: [
                "Simulator",
                "Relay",
                "Rendezvous",
                "Kademlia",
                "Blocks",
                "DHTCrypto",
                "SecureChannel",
                "Exchange",
                "DHTNode",
                "DHTDaemon",
                "Names",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        .testTarget(name: "DHTCryptoTests", dependencies: ["DHTCrypto"]),
        .testTarget(name: "KademliaTests", dependencies: ["Kademlia"]),
        .testTarget(name: "RelayTests", dependencies: ["Relay", "Kademlia", "DHTCrypto"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator"]),
        .testTarget(name: "SecureChannelTests", dependencies: ["SecureChannel", "DHTCrypto"]),
        .testTarget(name: "NamesTests", dependencies: ["Names", "Blocks", "DHTCrypto"]),
        .testTarget(name: "BlocksTests", dependencies: ["Blocks", "DHTCrypto", "CSodium"]),
        .testTarget(
            name: "ExchangeTests",
            dependencies: [
                "Exchange",
                "Blocks",
                "DHTCrypto",
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "Blocks", .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .testTarget(name: "RendezvousTests", dependencies: ["Rendezvous", "Kademlia", "Blocks"]),
        .testTarget(
            name: "DHTNodeTests",
            dependencies: [
                "DHTNode",
                "Kademlia",
                "Rendezvous",
                "DHTCrypto",
                "SecureChannel",
                "Exchange",
                "Blocks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "DHTDaemonTests",
            dependencies: [
                "DHTDaemon",
                "Gateway",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                "DHTNode",
                "Kademlia",
                "Blocks",
                "DHTCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
