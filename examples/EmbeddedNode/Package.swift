// swift-tools-version: 6.1
// An example that depends on swift-dht by path and embeds DHT nodes with on-disk block stores in an app.
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
                .product(name: "DHTDaemon", package: "swift-dht"),
                .product(name: "Blocks", package: "swift-dht"),
                .product(name: "Kademlia", package: "swift-dht"),
                .product(name: "DHTCrypto", package: "swift-dht"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
