import Kademlia

/// The simulator's global view: the true closest nodes to a target, by brute force over every live node.
enum GroundTruth {
    /// The IDs of the `count` live nodes closest to `target` by XOR distance, `excluding` one node (the lookup's
    /// initiator, which a lookup never returns).
    static func closest(to target: NodeID, among live: [(Int32, NodeID)], count: Int, excluding: Int32) -> [NodeID] {
        // A bounded max-heap would be faster; a full pass with a small sorted buffer is simple and fast enough
        // (100,000 nodes × 1,000 lookups ≈ 10^8 XORs).
        var best: [(distance: NodeID, id: NodeID)] = []
        best.reserveCapacity(count + 1)
        for (index, id) in live where index != excluding {
            let distance = id.distance(to: target)
            if best.count == count, let worst = best.last, worst.distance <= distance { continue }
            var position = best.count
            while position > 0, best[position - 1].distance > distance { position -= 1 }
            best.insert((distance, id), at: position)
            if best.count > count { best.removeLast() }
        }
        return best.map(\.id)
    }
}
