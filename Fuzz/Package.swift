// swift-tools-version: 6.1
// libFuzzer harnesses for swift-dht's parsers: one executable target per parser, each exporting
// `LLVMFuzzerTestOneInput`. Build and run them all with `Fuzz/run.sh [SECONDS]` (or `make fuzz` at the root).
//
// To add a harness: create `Sources/FuzzThing/FuzzThing.swift` (copy an existing one), then add one line below.
// `run.sh` runs every folder under `Sources/`; seeds go in `Corpus/FuzzThing/` and an optional libFuzzer
// dictionary in `Dictionaries/FuzzThing.dict`.
import PackageDescription

/// Each harness and the products of the root package it exercises.
let harnesses: [(name: String, products: [String])] = [
    ("FuzzHex", ["DHTCrypto"]),
    ("FuzzNodeID", ["Kademlia", "DHTCrypto"]),
    ("FuzzIdentityFile", ["DHTCrypto"]),
    ("FuzzCID", ["Blocks"]),
    ("FuzzDagPB", ["Blocks"]),
    ("FuzzCAR", ["Blocks"]),
    ("FuzzDHTDatagram", ["Kademlia"]),
    ("FuzzExchangeMessage", ["Exchange"]),
    ("FuzzChannelFrame", ["SecureChannel", "DHTCrypto"]),
    ("FuzzGatewayRequest", ["Gateway"]),
    ("FuzzIPNSRecord", ["Names"]),
    ("FuzzRelayMessage", ["Relay"]),
    ("FuzzHolePunchMessage", ["Relay"]),
]

let package = Package(
    name: "swift-dht-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-dht", path: ".."),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        // libFuzzer start-up shared by every harness (not a harness itself, so it lives outside Sources/).
        .target(name: "FuzzMain", path: "Support/FuzzMain")
    ] + harnesses.map { harness in
        .executableTarget(
            name: harness.name,
            dependencies: ["FuzzMain"] + harness.products.map { .product(name: $0, package: "swift-dht") }
                + (harness.name == "FuzzGatewayRequest" ? [.product(name: "HTTPTypes", package: "swift-http-types")] : [])
        )
    },
    swiftLanguageModes: [.v6]
)
