import DHTCrypto
import Kademlia

@testable import DHTNode

/// Endpoints wired to each other in memory: what one sends is delivered to the endpoint at the destination
/// address, until nothing is in flight. Time stands still unless a test moves it.
struct EndpointNetwork {
    var endpoints: [NodeAddress: DatagramEndpoint] = [:]
    var now = DHTInstant(nanoseconds: 1_000_000_000)
    /// Datagrams sent, in order, with their source and destination.
    var sent: [(bytes: [UInt8], from: NodeAddress, to: NodeAddress)] = []
    var completed: [OperationID: OperationResult] = [:]

    static func address(_ index: Int) -> NodeAddress {
        NodeAddress(ipv4: 0x0a00_0000 | UInt32(index), port: 4001)
    }

    /// Where an endpoint's probe socket sends from: its IP, another port.
    static func probeAddress(of address: NodeAddress) -> NodeAddress {
        NodeAddress(host: address.host, port: address.port &+ 10_000)
    }

    static func secrets(_ index: Int) -> EndpointSecrets {
        EndpointSecrets(
            writeTokenSecret: [UInt8](repeating: UInt8(index), count: 32),
            transactionIDKey: [UInt8](repeating: UInt8(index) ^ 0x5a, count: 16),
            coreSeed: UInt64(index)
        )
    }

    /// Adds an endpoint at `address(index)`.
    mutating func add(_ index: Int, limits: AbuseLimits = AbuseLimits(), pads: Bool = true) -> NodeAddress {
        var configuration = KademliaConfiguration()
        configuration.admission = .afterPong
        configuration.routingTable.ipDiversity = nil
        let endpoint = DatagramEndpoint(
            identity: NodeIdentity.generate(),
            configuration: configuration,
            limits: limits,
            padsLookupRequests: pads,
            secrets: Self.secrets(index),
            now: now
        )
        let address = Self.address(index)
        endpoints[address] = endpoint
        return address
    }

    /// Runs a command on the endpoint at `address` and delivers everything until quiet.
    mutating func perform(
        at address: NodeAddress,
        _ command: (inout KademliaInstance, DHTInstant) -> (OperationID, [KademliaDirective])
    ) -> OperationResult? {
        let now = self.now
        let (id, outputs) = endpoints[address]!.perform({ command(&$0, now) }, now: now)
        deliver(outputs, from: address)
        return completed[id]
    }

    /// Hands `bytes` to the endpoint at `to` as if sent from `from`, then delivers what follows.
    mutating func inject(_ bytes: [UInt8], from: NodeAddress, to: NodeAddress) -> [EndpointOutput] {
        let outputs = endpoints[to]!.receive(bytes, from: from, now: now)
        deliver(outputs, from: to)
        return outputs
    }

    mutating func deliver(_ outputs: [EndpointOutput], from source: NodeAddress) {
        var queue: [(bytes: [UInt8], from: NodeAddress, to: NodeAddress)] = []
        func take(_ outputs: [EndpointOutput], from source: NodeAddress) {
            for output in outputs {
                switch output {
                case .datagram(let bytes, let destination): queue.append((bytes, source, destination))
                case .probe(let bytes, let destination): queue.append((bytes, Self.probeAddress(of: source), destination))
                case .completed(let id, let result): completed[id] = result
                case .scheduleTimeout, .scheduleTick, .providersFound, .tcpProbe: break
                }
            }
        }
        take(outputs, from: source)
        while !queue.isEmpty {
            let next = queue.removeFirst()
            sent.append(next)
            guard endpoints[next.to] != nil else { continue }
            take(endpoints[next.to]!.receive(next.bytes, from: next.from, now: now), from: next.to)
        }
    }
}
