// An app that embeds DHT nodes and moves a file between them.
//
//   swift run EmbeddedNode                      # starts a small swarm of its own on loopback and uses it
//   swift run EmbeddedNode 192.0.2.7:4001       # joins an existing swarm through that node instead
//
// Two app nodes ("publisher" and "reader") each keep their blocks on disk, in a folder of their own (the same
// repository format as `dhtnode run`: `dhtnode ls --repo FOLDER` reads it). The publisher adds a file and the
// reader, which knows only the swarm, finds it through the DHT and fetches it into a file, printing its progress.
import Blocks
import DHTCrypto
import DHTDaemon
import DHTNode
import Foundation
import Kademlia

let work = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-node-\(getpid())").path
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

var neighbours: [Node] = []
var seeds: [NodeAddress] = []
if CommandLine.arguments.count > 1 {
    seeds = try CommandLine.arguments.dropFirst().map { try NodeAddress(parsing: $0) }
} else {
    // No swarm given: start five neighbours in this process, the first one as the bootstrap node.
    for index in 0..<5 {
        let node = Node(configuration: NodeConfiguration(identity: .generate(), bootstrapAddresses: seeds))
        try await node.start()
        if index == 0 { seeds = node.listeningAddresses } else { _ = try await node.bootstrap() }
        neighbours.append(node)
    }
}

/// A node whose blocks live in `work/NAME`, joined through `seeds`.
func appNode(_ name: String, seeds: [NodeAddress]) async throws -> Node {
    var configuration = NodeConfiguration(identity: .generate(), bootstrapAddresses: seeds)
    configuration.content = ContentConfiguration(store: try RepositoryContentStore(folder: work + "/" + name))
    let node = Node(configuration: configuration)
    try await node.start()
    let joined = try await node.bootstrap()
    print("\(name): node \(node.id) on \(node.listeningAddresses[0]), \(joined.routingTableSize) contacts")
    return node
}

let publisher = try await appNode("publisher", seeds: seeds)
let reader = try await appNode("reader", seeds: seeds)

// The publisher adds 24 MiB read from a file, a piece at a time; the root is announced in the DHT.
let original = work + "/original.bin"
var state: UInt64 = 0x9E37_79B9_7F4A_7C15
var content = [UInt8](repeating: 0, count: 24 << 20)
for index in stride(from: 0, to: content.count, by: 8) {
    // xorshift64: bytes that do not repeat, so every leaf block is a different block.
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    withUnsafeBytes(of: state) { content.replaceSubrange(index..<(index + 8), with: $0) }
}
_ = FileManager.default.createFile(atPath: original, contents: Data(content))
let added = try await publisher.add(file: original)
print("publisher: added \(added.root) (\(added.size) bytes, \(added.blocks) blocks), announced: \(added.announced)")

// The reader fetches it into a file: the DHT names the publisher as a provider, every block is verified.
let copy = work + "/copy.bin"
var last: FetchProgress?
let started = ContinuousClock.now
for try await progress in reader.fetch(added.root, toFile: copy) {
    let total = progress.total.map { "\($0 >> 20) MiB" } ?? "?"
    print("reader: \(progress.bytes >> 20) MiB of \(total) from \(progress.peers) peer(s)")
    last = progress
}
let elapsed = started.duration(to: .now)
if let statistics = last?.statistics {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let peers = statistics.peers.count
    print(
        "reader: \(statistics.bytesDelivered) bytes in \(elapsed) from \(peers) peer(s), "
            + "\(Int(Double(statistics.bytesDelivered) / seconds / 1e6)) MB/s, first byte after "
            + "\(statistics.timeToFirstByte.map { "\($0)" } ?? "-")")
}
let same = FileManager.default.contentsEqual(atPath: original, andPath: copy)
print("reader: the copy is \(same ? "identical" : "DIFFERENT")")

await reader.stop()
await publisher.stop()
for node in neighbours { await node.stop() }
try? FileManager.default.removeItem(atPath: work)
if !same { exit(1) }
