import Kademlia

extension Node {
    /// The DHT's smoothed round-trip estimate of the contact `id`, when it is in the routing table and was measured;
    /// `nil` otherwise (or when the node is not running). A fetch ranks its providers by it.
    func roundTripEstimate(of id: NodeID) async -> Duration? {
        try? await runtime.eventLoop.submit { [runtime] in
            runtime.read { endpoint, _ in
                endpoint.core.routingTable.buckets.lazy.flatMap(\.entries).first { $0.contact.id == id }?.rtt.smoothed
            }
        }.get()
    }
}
