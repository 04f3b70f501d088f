// swift-tools-version: 6.1
// An example that depends on swift-dht by path and embeds a DHT node in an app.
import PackageDescription

let package = Package(
    name: "EmbeddedNode",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-dht", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "EmbeddedNode",
            dependencies: [
                .product(name: "DHTNode", package: "swift-dht"),
                .product(name: "Kademlia", package: "swift-dht"),
                .product(name: "DHTCrypto", package: "swift-dht"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
