// swift-tools-version: 6.1
// An example that depends on swift-dht by path and drives its sans-I/O Kademlia core in memory.
import PackageDescription

let package = Package(
    name: "InMemoryNetwork",
    dependencies: [
        .package(name: "swift-dht", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "InMemoryNetwork",
            dependencies: [.product(name: "Kademlia", package: "swift-dht")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
