import DHTCrypto
import Kademlia

/// The node's sans-I/O network layer: bytes in, bytes out, around a `KademliaInstance`.
///
/// It owns everything between a UDP payload and the core's typed messages (docs/PROTOCOL.md):
/// - decoding and encoding (``DHTDatagram``), with every rejected datagram counted by ``DropReason``;
/// - the global inbound budget and the per-source request rate (``InboundRateLimiter``);
/// - replay detection of requests (sender key and transaction ID);
/// - PONG signatures: every PONG we send signs the requester's challenge, every PONG we get is verified before
///   the core sees it, so a contact enters the routing table only after proving its key (``ContactAdmission``);
/// - answers from the wrong key are dropped;
/// - write tokens: handed out in `NODES`, `PROVIDERS` and `RECORD`, required on `STORE`, `ADD_PROVIDER` and
///   `PUT_RECORD`;
/// - amplification: what goes to an address that has not proven itself is at most 3× what it sent: a reply is cut
///   to 3× its request, and the core's verification pings to it are sent only from the rest of that budget;
/// - transaction IDs on the wire are a keyed permutation of the core's (``TransactionIDCipher``), and so are the
///   nonces of our `DIAL_BACK`s (mapped back when their `DIAL_PROBE` arrives);
/// - `DIAL_PROBE`s go out through the probe socket (``EndpointOutput/probe(_:to:)``) and are never answered;
/// - in a private swarm, every datagram is sealed with the swarm's key (``DHTCrypto/DatagramSealer``): one that does
///   not open is dropped as ``DropReason/wrongSwarm`` before anything else looks at it.
///
/// Like the core it never reads a clock or touches a socket: the shell passes `now` and performs the
/// ``EndpointOutput``s. Every table it keeps is capped by ``AbuseLimits``.
public struct DatagramEndpoint: Sendable {
    /// The Kademlia core.
    public private(set) var core: KademliaInstance
    /// Datagram counters (routing-table and record figures are read from ``core``).
    public private(set) var statistics = NodeStatistics()

    private let identity: NodeIdentity
    private let senderKey: [UInt8]
    private let limits: AbuseLimits
    private let padsLookupRequests: Bool
    private let sealer: DatagramSealer?
    private let transactionIDs: TransactionIDCipher
    private var writeTokens: WriteTokenAuthority
    private var rateLimiter: InboundRateLimiter
    private var replays: ReplayFilter
    /// Addresses that answered a request of ours (the value is when).
    private var provenAddresses: BoundedRecencyMap<NodeAddress, DHTInstant>
    /// The bytes each address that has not proven itself may still be sent: ``AbuseLimits/amplificationFactor``
    /// times what it sent us (sealed bytes as they came in), less what we sent it (as they went out).
    private var amplificationBudgets: BoundedRecencyMap<NodeAddress, Int>
    /// Write tokens other nodes gave us, by their address.
    private var heldWriteTokens: BoundedRecencyMap<NodeAddress, [UInt8]>

    /// The bytes a lookup request is padded to: a full `NODES` reply is at most 3× this.
    public static let paddedLookupRequestByteCount = (DHTDatagram.maxByteCount + 2) / 3

    /// Creates an endpoint for `identity`.
    public init(
        identity: NodeIdentity,
        configuration: KademliaConfiguration,
        recordValidator: (any MutableRecordValidator)? = nil,
        limits: AbuseLimits = AbuseLimits(),
        padsLookupRequests: Bool = true,
        sealer: DatagramSealer? = nil,
        secrets: EndpointSecrets,
        now: DHTInstant
    ) {
        self.sealer = sealer
        self.identity = identity
        self.senderKey = identity.publicKey.bytes
        self.limits = limits
        self.padsLookupRequests = padsLookupRequests
        self.core = KademliaInstance(
            localID: NodeID(publicKeyBytes: identity.publicKey.bytes),
            configuration: configuration,
            recordValidator: recordValidator,
            seed: secrets.coreSeed,
            now: now
        )
        self.transactionIDs = TransactionIDCipher(key: secrets.transactionIDKey)
        self.writeTokens = WriteTokenAuthority(masterSecret: secrets.writeTokenSecret, rotation: limits.writeTokenRotation)
        self.rateLimiter = InboundRateLimiter(limits: limits, now: now)
        self.replays = ReplayFilter(limits: limits)
        self.provenAddresses = BoundedRecencyMap(capacity: max(1, limits.provenAddresses))
        self.amplificationBudgets = BoundedRecencyMap(capacity: max(1, limits.unprovenAddresses))
        self.heldWriteTokens = BoundedRecencyMap(capacity: max(1, limits.rememberedWriteTokens))
    }

    // MARK: - Events

    /// Takes one received datagram.
    public mutating func receive(_ bytes: [UInt8], from address: NodeAddress, now: DHTInstant) -> [EndpointOutput] {
        statistics.datagramsIn += 1
        guard rateLimiter.admitDatagram(now: now) else { return drop(.globalRateLimited) }
        let wireByteCount = bytes.count
        var bytes = bytes
        if let sealer {
            guard let opened = sealer.open(bytes) else { return drop(.wrongSwarm) }
            bytes = opened
        }
        var datagram: DHTDatagram
        do {
            datagram = try DHTDatagram(decoding: bytes)
        } catch {
            return drop(Self.reason(for: error))
        }
        if case .request(.dialProbe(let nonce)) = datagram.body {
            // The nonce of one of our DIAL_BACKs, as it went out.
            datagram.body = .request(.dialProbe(nonce: transactionIDs.decrypt(TransactionID(rawValue: nonce)).rawValue))
        }
        guard datagram.senderKey != senderKey else { return drop(.fromSelf) }
        switch datagram.body {
        case .request(let request):
            return receiveRequest(
                request, datagram, byteCount: bytes.count, wireByteCount: wireByteCount, from: address, now: now)
        case .response:
            return receiveResponse(datagram, from: address, now: now)
        }
    }

    /// Takes the timeout of a request (the ID the output named).
    public mutating func handleTimeout(_ transactionID: TransactionID, now: DHTInstant) -> [EndpointOutput] {
        translate(core.handleTimeout(transactionID, now: now), now: now)
    }

    /// Runs the core's maintenance.
    public mutating func tick(now: DHTInstant) -> [EndpointOutput] {
        provenAddresses.removeOldest { now - $0 > .seconds(3600) }
        return translate(core.tick(now: now), now: now)
    }

    /// Runs a command of the core (`findNode`, `put`, `bootstrap`, ...) and encodes what it sends.
    public mutating func perform(
        _ command: (inout KademliaInstance) -> (OperationID, [KademliaDirective]),
        now: DHTInstant
    ) -> (OperationID, [EndpointOutput]) {
        let (id, directives) = command(&core)
        return (id, translate(directives, now: now))
    }

    /// A dial-back's TCP probe, which the shell read on the exchange listener (``EndpointOutput/tcpProbe(nonce:to:)``
    /// at the helper): its nonce is one of our `DIAL_BACK`s' as it went out, mapped back as a `DIAL_PROBE`'s is.
    public mutating func tcpProbeArrived(nonce: UInt64, from address: NodeAddress, now: DHTInstant) -> [EndpointOutput] {
        let nonce = transactionIDs.decrypt(TransactionID(rawValue: nonce)).rawValue
        return translate(core.tcpProbeArrived(nonce: nonce, from: address, now: now), now: now)
    }

    /// Runs a command of the core that returns only directives (`start`).
    public mutating func perform(
        _ command: (inout KademliaInstance) -> [KademliaDirective],
        now: DHTInstant
    ) -> [EndpointOutput] {
        translate(command(&core), now: now)
    }

    /// Changes the core without sending anything (restoring contacts and records).
    public mutating func update(_ change: (inout KademliaInstance) -> Void) {
        change(&core)
    }

    /// Source IPs the rate limiter tracks (at most ``AbuseLimits/trackedSources``).
    public var trackedSourceCount: Int { rateLimiter.trackedSourceCount }

    /// Whether `address` has answered a request of ours (so replies to it need no amplification limit).
    public func isProven(_ address: NodeAddress) -> Bool {
        provenAddresses[address] != nil
    }

    /// The bytes `address`, which has not proven itself, may still be sent (0 for an address not tracked).
    func amplificationBudget(of address: NodeAddress) -> Int {
        amplificationBudgets[address] ?? 0
    }

    // MARK: - Requests

    private mutating func receiveRequest(
        _ request: KademliaRequest,
        _ datagram: DHTDatagram,
        byteCount: Int,
        wireByteCount: Int,
        from address: NodeAddress,
        now: DHTInstant
    ) -> [EndpointOutput] {
        guard rateLimiter.admitRequest(from: address.host, now: now) else { return drop(.sourceRateLimited) }
        switch request {
        case .store, .addProvider, .putRecord:
            guard writeTokens.isValid(datagram.writeToken, for: address, now: now) else { return drop(.badToken) }
        default:
            break
        }
        guard replays.admit(senderKey: datagram.senderKey, transactionID: datagram.transactionID, now: now) else {
            return drop(.replayed)
        }
        if case .dialProbe = request {
            // Never answered: nothing to budget for the sender.
            statistics.probesReceived += 1
            return translate(core.handleMessage(datagram.message, from: address, now: now), now: now)
        }
        statistics.requestsAnswered += 1
        let directives = core.handleMessage(datagram.message, from: address, now: now)
        let replyLimit = isProven(address) ? DHTDatagram.maxByteCount : limits.amplificationFactor * byteCount
        if !isProven(address) {
            amplificationBudgets.insert(
                amplificationBudget(of: address) + limits.amplificationFactor * wireByteCount, for: address)
        }
        return translate(directives, now: now, requester: datagram.senderKey, replyLimit: replyLimit)
    }

    // MARK: - Responses

    private mutating func receiveResponse(
        _ datagram: DHTDatagram,
        from address: NodeAddress,
        now: DHTInstant
    ) -> [EndpointOutput] {
        var message = datagram.message
        message.transactionID = transactionIDs.decrypt(datagram.transactionID)
        guard let expected = core.expectedAnswer(to: message.transactionID), expected.address == address else {
            return drop(.unmatchedResponse)
        }
        if let expectedID = expected.nodeID, expectedID != message.sender { return drop(.wrongKey) }
        if case .response(.pong) = datagram.body {
            let challenge = DHTDatagram.pongChallenge(transactionID: datagram.transactionID, requesterKey: senderKey)
            guard let key = try? Ed25519PublicKey(bytes: datagram.senderKey),
                key.isValidSignature(datagram.signature, for: challenge)
            else { return drop(.badSignature) }
        }
        if datagram.type.carriesWriteToken, !datagram.writeToken.isEmpty {
            heldWriteTokens.insert(datagram.writeToken, for: address)
        }
        provenAddresses.insert(now, for: address)
        amplificationBudgets.removeValue(for: address)
        return translate(core.handleMessage(message, from: address, now: now), now: now)
    }

    // MARK: - Output

    /// Turns the core's directives into outputs, encoding every message.
    private mutating func translate(
        _ directives: [KademliaDirective],
        now: DHTInstant,
        requester: [UInt8] = [],
        replyLimit: Int = DHTDatagram.maxByteCount
    ) -> [EndpointOutput] {
        var outputs: [EndpointOutput] = []
        outputs.reserveCapacity(directives.count)
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                // Replies, and pings that verify a requester, to an address that has not proven itself: at most
                // what is left of its budget (the requests we start ourselves go to addresses others named, or
                // that we were given, and are bounded by our own operations).
                let budget: Int? = isBudgeted(message, to: address) ? amplificationBudget(of: address) : nil
                var limit = replyLimit
                if let budget { limit = min(limit, budget - (sealer == nil ? 0 : DatagramSealer.overheadByteCount)) }
                guard let bytes = encode(message, to: address, now: now, requester: requester, replyLimit: limit)
                else {
                    if budget != nil { statistics.withheldForAmplification += 1 }
                    continue
                }
                let datagram = sealer.map { $0.seal(bytes) } ?? bytes
                if case .request(.dialProbe(let nonce)) = message.body {
                    statistics.datagramsOut += 1
                    statistics.probesSent += 1
                    outputs.append(.probe(datagram, to: address))
                    outputs.append(.tcpProbe(nonce: nonce, to: address))
                    continue
                }
                if let budget {
                    guard datagram.count <= budget else {
                        statistics.withheldForAmplification += 1
                        continue
                    }
                    amplificationBudgets.insert(budget - datagram.count, for: address)
                }
                statistics.datagramsOut += 1
                outputs.append(.datagram(datagram, to: address))
            case .scheduleTimeout(let id, let at):
                outputs.append(.scheduleTimeout(id, at: at))
            case .scheduleTick(let at):
                outputs.append(.scheduleTick(at: at))
            case .providersFound(let id, let providers):
                outputs.append(.providersFound(id, providers))
            case .completed(let id, let result):
                outputs.append(.completed(id, result))
            }
        }
        return outputs
    }

    /// Whether sending `message` to `address` spends the address's amplification budget: a reply, or a ping that
    /// verifies a requester, to an address that has not proven itself.
    private func isBudgeted(_ message: KademliaMessage, to address: NodeAddress) -> Bool {
        guard !isProven(address) else { return false }
        switch message.body {
        case .response: return true
        case .request: return core.expectedAnswer(to: message.transactionID)?.isVerification == true
        }
    }

    private mutating func encode(
        _ message: KademliaMessage,
        to address: NodeAddress,
        now: DHTInstant,
        requester: [UInt8],
        replyLimit: Int
    ) -> [UInt8]? {
        var datagram = DHTDatagram(message, senderKey: senderKey)
        var limit = DHTDatagram.maxByteCount
        switch message.body {
        case .request(let request):
            datagram.transactionID = transactionIDs.encrypt(message.transactionID)
            switch request {
            case .store, .addProvider, .putRecord:
                datagram.writeToken = heldWriteTokens[address] ?? []
            case .findNode, .findValue, .getProviders, .getRecord:
                if padsLookupRequests {
                    datagram.paddingByteCount = max(0, Self.paddedLookupRequestByteCount - datagram.byteCount)
                }
            case .dialBack(let nonce):
                // Unpredictable on the wire, like transaction IDs: a probe must carry what only the peer was told.
                datagram.body = .request(
                    .dialBack(nonce: transactionIDs.encrypt(TransactionID(rawValue: nonce)).rawValue))
            case .ping, .dialRequest, .dialProbe:
                break
            }
        case .response(let response):
            limit = min(limit, replyLimit)
            switch response {
            case .pong:
                datagram.signature = identity.sign(
                    DHTDatagram.pongChallenge(transactionID: message.transactionID, requesterKey: requester)
                )
            case .nodes, .providers, .record:
                datagram.writeToken = writeTokens.token(for: address, now: now)
            case .values, .stored, .dialStatus:
                break
            }
            if datagram.byteCount > limit { statistics.repliesCutForAmplification += 1 }
        }
        return try? datagram.encoded(maxByteCount: limit)
    }

    private mutating func drop(_ reason: DropReason) -> [EndpointOutput] {
        statistics.dropped[reason, default: 0] += 1
        return []
    }

    private static func reason(for error: DHTDatagramError) -> DropReason {
        switch error {
        case .tooLarge: .oversized
        case .truncated: .truncated
        case .unsupportedVersion: .wrongVersion
        default: .malformed
        }
    }
}
