@testable import Kademlia

/// Instants and durations in test-friendly units.
extension DHTInstant {
    static func seconds(_ seconds: Int64) -> DHTInstant { DHTInstant(nanoseconds: seconds * 1_000_000_000) }
}

/// Builds IDs, addresses and contacts for tests.
enum TestIDs {
    /// An ID whose 32 bytes are all `byte`.
    static func filled(_ byte: UInt8) -> NodeID {
        try! NodeID(bytes: [UInt8](repeating: byte, count: 32))
    }

    /// An ID that shares exactly `length` leading bits with `id` (`id` itself for 256).
    static func sharing(_ length: Int, with id: NodeID, using random: inout SeededRandom) -> NodeID {
        id.randomID(sharingPrefixLength: length, using: &random)
    }

    /// The address `10.B.C.1:4000` where B.C encode `index`: every index its own /24.
    static func address(_ index: Int, port: UInt16 = 4000) -> NodeAddress {
        precondition(index < 65_536)
        return NodeAddress(ipv4: 0x0a00_0001 | UInt32(index) << 8, port: port)
    }

    /// A contact with a distinct /24 per index.
    static func contact(_ id: NodeID, _ index: Int) -> Contact {
        Contact(id: id, address: address(index))
    }

    /// `ids` sorted by XOR distance to `target`, closest first.
    static func sortedByDistance(_ ids: [NodeID], to target: NodeID) -> [NodeID] {
        ids.sorted { $0.distance(to: target) < $1.distance(to: target) }
    }

    /// Brute force: the `count` IDs of `ids` closest to `target`, closest first.
    static func bruteForceClosest(to target: NodeID, among ids: [NodeID], count: Int) -> [NodeID] {
        Array(ids.sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(count))
    }
}
