// An app that embeds a DHT node.
//
//   swift run EmbeddedNode                      # starts a small swarm of its own on loopback and uses it
//   swift run EmbeddedNode 192.0.2.7:4001       # joins an existing swarm through that node instead
//
// The app's node listens on 127.0.0.1 (a port the system picks), joins, stores a value, reads it back, announces
// itself as a provider of a key, finds the providers, and stops.
import DHTCrypto
import DHTNode
import Kademlia

var neighbours: [Node] = []
var seeds: [NodeAddress] = []
if CommandLine.arguments.count > 1 {
    seeds = try CommandLine.arguments.dropFirst().map { try NodeAddress(parsing: $0) }
} else {
    // No swarm given: start five neighbours in this process, the first one as the bootstrap node.
    for index in 0..<5 {
        let node = Node(
            configuration: NodeConfiguration(identity: .generate(), bootstrapAddresses: seeds)
        )
        try await node.start()
        if index == 0 { seeds = node.listeningAddresses } else { _ = try await node.bootstrap() }
        neighbours.append(node)
    }
}

let app = Node(configuration: NodeConfiguration(identity: .generate(), bootstrapAddresses: seeds))
try await app.start()
let joined = try await app.bootstrap()
print("app node \(app.id) on \(app.listeningAddresses[0]): \(joined.routingTableSize) contacts")

let key = NodeID(naming: "embedded-example")
let put = try await app.put(Array("hello from an embedded node".utf8), under: key)
print("put: stored on \(put.accepted) of \(put.asked) closest nodes")

let reader = neighbours.last ?? app
for value in try await reader.get(key) {
    print("get: \(String(decoding: value.data, as: UTF8.self)) (published by \(value.publisher))")
}

let provided = try await app.provide(NodeID(naming: "a file"))
print("provide: announced on \(provided.accepted) nodes")
let providers = try await reader.providers(of: NodeID(naming: "a file"))
print("providers: \(providers.map(\.description))")

for peer in try await app.peers().prefix(3) {
    print("peer \(peer.contact) rtt \(peer.roundTripTime.map { "\($0)" } ?? "-")")
}

await app.stop()
for node in neighbours { await node.stop() }
