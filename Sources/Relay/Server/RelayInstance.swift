import DHTCrypto
import Kademlia

/// The relay service of a public node, sans-I/O (docs/PROTOCOL.md, "Relays").
///
/// The shell reports connections, the messages read on them, their ends, bytes forwarded on circuits and the
/// passing of time; the core answers with ``RelayDirective``s. It never sees a circuit's bytes, only their count:
/// what it splices is the two ends' own secure channel.
///
/// Every table is capped: reservations (``RelayConfiguration/maxReservations``), circuits open or waiting
/// (``RelayConfiguration/maxCircuits``, ``RelayConfiguration/maxCircuitsPerReservation``), connections that have
/// not said what they want yet (``RelayConfiguration/maxPendingConnections``), each with a deadline.
public struct RelayInstance: Sendable {
    /// The caps in force.
    public let configuration: RelayConfiguration
    /// Counters.
    public private(set) var statistics = RelayStatistics()

    private enum Phase: Hashable {
        /// Waiting for the first message, until the deadline.
        case fresh(deadline: DHTInstant)
        /// Sent a challenge to the holder of `key`.
        case challenged(key: [UInt8], nonce: [UInt8], deadline: DHTInstant)
        /// Holds the reservation of `node`.
        case reserved(NodeID)
        /// Asked for a circuit; waiting for the target to accept `token`.
        case dialing(token: [UInt8])
        /// One end of a circuit.
        case spliced(RelayCircuitID)
    }

    private struct Reservation {
        var connection: RelayConnectionID
        var expiresAt: DHTInstant
        var circuits = 0
    }

    private struct PendingCircuit {
        var connector: RelayConnectionID
        var target: NodeID
        var deadline: DHTInstant
    }

    private struct Circuit {
        var ends: (RelayConnectionID, RelayConnectionID)
        var target: NodeID
        var bytes: UInt64 = 0
        var deadline: DHTInstant
    }

    private var connections: [RelayConnectionID: (phase: Phase, address: NodeAddress)] = [:]
    private var reservations: [NodeID: Reservation] = [:]
    private var pending: [[UInt8]: PendingCircuit] = [:]
    private var circuits: [RelayCircuitID: Circuit] = [:]
    private var nextCircuit: UInt64 = 1
    private var random: SeededRandom
    /// Bytes the circuits may still forward now under the total cap, refilled at its rate up to one second's worth.
    private var bandwidth: (bytes: Double, updatedAt: DHTInstant)

    /// A relay with `configuration`; `random` draws challenges and tokens (seed it from a secure source).
    public init(configuration: RelayConfiguration = RelayConfiguration(), random: SeededRandom, now: DHTInstant) {
        self.configuration = configuration
        self.random = random
        self.bandwidth = (Double(configuration.totalBytesPerSecond ?? 0), now)
    }

    /// Reservations held now.
    public var reservationCount: Int { reservations.count }
    /// Circuits spliced and open now.
    public var circuitCount: Int { circuits.count }
    /// Whether `node` holds a reservation.
    public func holdsReservation(_ node: NodeID) -> Bool { reservations[node] != nil }

    private var pendingConnectionCount: Int {
        connections.values.count { entry in
            switch entry.phase {
            case .fresh, .challenged: true
            default: false
            }
        }
    }

    // MARK: Events

    /// A connection arrived from `address` whose first bytes are a relay message.
    public mutating func opened(_ connection: RelayConnectionID, from address: NodeAddress, now: DHTInstant)
        -> [RelayDirective]
    {
        guard pendingConnectionCount < configuration.maxPendingConnections else {
            statistics.connectionsDropped += 1
            return [.close(connection)]
        }
        connections[connection] = (.fresh(deadline: now + handshake), address)
        return []
    }

    /// A whole message arrived on `connection`.
    public mutating func received(_ message: RelayMessage, on connection: RelayConnectionID, now: DHTInstant)
        -> [RelayDirective]
    {
        guard let (phase, address) = connections[connection] else { return [] }
        switch (phase, message) {
        case (.fresh, .reserve(let key)):
            guard configuration.isEnabled else { return refuseReservation(connection, .refused) }
            let node = NodeID(publicKeyBytes: key)
            guard reservations[node] != nil || reservations.count < configuration.maxReservations else {
                return refuseReservation(connection, .busy)
            }
            let nonce = (0..<RelayMessage.keyByteCount).map { _ in UInt8.random(in: 0...255, using: &random) }
            let deadline = now + handshake
            connections[connection]?.phase = .challenged(key: key, nonce: nonce, deadline: deadline)
            return [.send(connection, .challenge(nonce: nonce))]

        case (.challenged(let key, let nonce, _), .proof(let signature)):
            guard let publicKey = try? Ed25519PublicKey(bytes: key),
                publicKey.isValidSignature(signature, for: RelayProof.signedBytes(nonce: nonce, publicKey: key))
            else { return refuseReservation(connection, .refused) }
            let node = NodeID(publicKeyBytes: key)
            var directives: [RelayDirective] = []
            if let older = reservations[node] {
                // The node reserved again (its old connection died behind its NAT): the new connection wins, the
                // circuits it has open stay.
                connections[older.connection] = nil
                directives.append(.close(older.connection))
            } else if reservations.count >= configuration.maxReservations {
                return refuseReservation(connection, .busy)
            }
            reservations[node] = Reservation(
                connection: connection, expiresAt: now + lifetime, circuits: reservations[node]?.circuits ?? 0)
            connections[connection]?.phase = .reserved(node)
            statistics.reservationsGranted += 1
            directives.append(.send(connection, reservedMessage(observed: address)))
            return directives

        case (.reserved(let node), .renew):
            let expiry = now + lifetime
            reservations[node]?.expiresAt = expiry
            return [.send(connection, reservedMessage(observed: address))]

        case (.fresh, .connect(let target)):
            guard configuration.isEnabled else { return refuseCircuit(connection, .refused) }
            guard let reservation = reservations[target] else { return refuseCircuit(connection, .noReservation) }
            guard circuits.count + pending.count < configuration.maxCircuits,
                reservation.circuits < configuration.maxCircuitsPerReservation
            else { return refuseCircuit(connection, .busy) }
            let token = (0..<RelayMessage.tokenByteCount).map { _ in UInt8.random(in: 0...255, using: &random) }
            pending[token] = PendingCircuit(connector: connection, target: target, deadline: now + handshake)
            reservations[target]?.circuits += 1
            connections[connection]?.phase = .dialing(token: token)
            return [.send(reservation.connection, .incoming(token: token, from: address))]

        case (.fresh, .accept(let token)):
            guard let waiting = pending.removeValue(forKey: token) else {
                return refuseCircuit(connection, .noReservation)
            }
            let id = RelayCircuitID(nextCircuit)
            nextCircuit += 1
            circuits[id] = Circuit(
                ends: (waiting.connector, connection),
                target: waiting.target,
                deadline: now + .seconds(Int64(configuration.circuitLimits.seconds))
            )
            connections[waiting.connector]?.phase = .spliced(id)
            connections[connection]?.phase = .spliced(id)
            statistics.circuitsOpened += 1
            let granted = RelayMessage.circuit(.ok, limits: configuration.circuitLimits)
            return [.send(waiting.connector, granted), .send(connection, granted), .splice(id, waiting.connector, connection)]

        default:
            // Anything else breaks the protocol: a message out of turn, or bytes where a spliced end has none.
            statistics.connectionsDropped += 1
            return end(connection)
        }
    }

    /// `connection` closed (either side). A circuit loses its other end too; a reservation ends.
    public mutating func closed(_ connection: RelayConnectionID, now: DHTInstant) -> [RelayDirective] {
        end(connection, closing: false)
    }

    /// The shell forwarded `bytes` on `circuit` (either direction). Returns a ``RelayDirective/cut(_:_:)`` once the
    /// circuit is past its byte cap, or a ``RelayDirective/pause(_:until:)`` while the total bandwidth is spent.
    public mutating func forwarded(_ circuit: RelayCircuitID, bytes: Int, now: DHTInstant) -> [RelayDirective] {
        guard circuits[circuit] != nil else { return [] }
        circuits[circuit]!.bytes += UInt64(bytes)
        statistics.bytesRelayed += UInt64(bytes)
        if circuits[circuit]!.bytes > configuration.circuitLimits.bytes { return cut(circuit, .bytes) }
        guard let rate = configuration.totalBytesPerSecond.map({ Double($0) }), rate > 0 else { return [] }
        let elapsed = max(0, Double((now - bandwidth.updatedAt).nanosecondsClamped) / 1e9)
        bandwidth = (min(rate, bandwidth.bytes + elapsed * rate) - Double(bytes), max(now, bandwidth.updatedAt))
        guard bandwidth.bytes < 0 else { return [] }
        let wait = Duration.nanoseconds(Int64(-bandwidth.bytes / rate * 1e9))
        return [.pause(circuit, until: now + wait)]
    }

    /// Deadlines: silent new connections and unanswered challenges close, a circuit its target did not accept is
    /// refused `timedOut`, reservations not renewed end, circuits open too long are cut.
    public mutating func tick(now: DHTInstant) -> [RelayDirective] {
        var directives: [RelayDirective] = []
        for (connection, entry) in connections.sorted(by: { $0.key < $1.key }) {
            switch entry.phase {
            case .fresh(let deadline), .challenged(_, _, let deadline):
                if deadline <= now {
                    statistics.connectionsDropped += 1
                    directives += end(connection)
                }
            default:
                break
            }
        }
        for (token, waiting) in pending.sorted(by: { $0.value.connector < $1.value.connector })
        where waiting.deadline <= now {
            pending[token] = nil
            reservations[waiting.target]?.circuits -= 1
            connections[waiting.connector] = nil
            statistics.refusals[.timedOut, default: 0] += 1
            directives += [.send(waiting.connector, .circuit(.timedOut, limits: .none)), .close(waiting.connector)]
        }
        for (node, reservation) in reservations.sorted(by: { $0.key < $1.key }) where reservation.expiresAt <= now {
            reservations[node] = nil
            connections[reservation.connection] = nil
            directives.append(.close(reservation.connection))
        }
        for (id, circuit) in circuits.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where circuit.deadline <= now {
            directives += cut(id, .time)
        }
        return directives
    }

    /// The earliest deadline the core waits for; call ``tick(now:)`` then.
    public var nextDeadline: DHTInstant? {
        var deadlines: [DHTInstant] = []
        for entry in connections.values {
            switch entry.phase {
            case .fresh(let deadline), .challenged(_, _, let deadline): deadlines.append(deadline)
            default: break
            }
        }
        deadlines += pending.values.map(\.deadline)
        deadlines += reservations.values.map(\.expiresAt)
        deadlines += circuits.values.map(\.deadline)
        return deadlines.min()
    }

    // MARK: Helpers

    private var handshake: Duration { .seconds(Int64(configuration.handshakeSeconds)) }
    private var lifetime: Duration { .seconds(Int64(configuration.reservationLifetimeSeconds)) }

    private func reservedMessage(observed: NodeAddress) -> RelayMessage {
        .reserved(
            .ok, lifetimeSeconds: configuration.reservationLifetimeSeconds, limits: configuration.circuitLimits,
            observed: observed)
    }

    private mutating func refuseReservation(_ connection: RelayConnectionID, _ status: RelayStatus)
        -> [RelayDirective]
    {
        statistics.refusals[status, default: 0] += 1
        connections[connection] = nil
        return [.send(connection, .reserved(status, lifetimeSeconds: 0, limits: .none, observed: nil)), .close(connection)]
    }

    private mutating func refuseCircuit(_ connection: RelayConnectionID, _ status: RelayStatus) -> [RelayDirective] {
        statistics.refusals[status, default: 0] += 1
        connections[connection] = nil
        return [.send(connection, .circuit(status, limits: .none)), .close(connection)]
    }

    private mutating func cut(_ id: RelayCircuitID, _ reason: RelayCutReason) -> [RelayDirective] {
        guard let circuit = circuits.removeValue(forKey: id) else { return [] }
        reservations[circuit.target]?.circuits -= 1
        connections[circuit.ends.0] = nil
        connections[circuit.ends.1] = nil
        statistics.cuts[reason, default: 0] += 1
        return [.cut(id, reason)]
    }

    /// Forgets `connection` and what hangs on it; `closing` asks the shell to close it (and a circuit's other end).
    private mutating func end(_ connection: RelayConnectionID, closing: Bool = true) -> [RelayDirective] {
        guard let (phase, _) = connections.removeValue(forKey: connection) else { return [] }
        var directives: [RelayDirective] = closing ? [.close(connection)] : []
        switch phase {
        case .reserved(let node):
            if reservations[node]?.connection == connection { reservations[node] = nil }
        case .dialing(let token):
            if let waiting = pending.removeValue(forKey: token) { reservations[waiting.target]?.circuits -= 1 }
        case .spliced(let id):
            if let circuit = circuits.removeValue(forKey: id) {
                reservations[circuit.target]?.circuits -= 1
                let other = circuit.ends.0 == connection ? circuit.ends.1 : circuit.ends.0
                connections[other] = nil
                directives.append(.close(other))
            }
        case .fresh, .challenged:
            break
        }
        return directives
    }
}
