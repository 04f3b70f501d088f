/// A DHT message as the core sees it: typed, already decoded and authenticated by the shell.
///
/// The byte layout on the wire is the shell's concern (docs/PROTOCOL.md); the core only needs the sender's ID
/// (which the shell checked against the sender's public key), the transaction ID, and the body.
public struct KademliaMessage: Sendable {
    /// Request and response share it; responses are matched on it together with the source address.
    public var transactionID: TransactionID
    /// The sender's node ID.
    public var sender: NodeID
    /// A request or a response.
    public var body: Body
    /// Whether the sender runs as a DHT client (a request's `CLIENT` flag): it cannot be reached from outside, so
    /// a receiver answers it but never verifies it or admits it to its routing table, and drops it from there when
    /// it holds it at this very address (docs/PROTOCOL.md, "Reachability and client mode"). Only requests carry it.
    public var isClient: Bool

    /// A request or a response.
    public enum Body: Sendable {
        /// A request to the receiver.
        case request(KademliaRequest)
        /// A response to one of the receiver's requests.
        case response(KademliaResponse)
    }

    /// Creates a message.
    public init(transactionID: TransactionID, sender: NodeID, body: Body, isClient: Bool = false) {
        self.transactionID = transactionID
        self.sender = sender
        self.body = body
        self.isClient = isClient
    }
}

/// The requests of the DHT protocol.
public enum KademliaRequest: Hashable, Sendable {
    /// Are you there? Answered with ``KademliaResponse/pong``.
    case ping
    /// Send me the k contacts you know closest to this ID. Answered with ``KademliaResponse/nodes(_:)``.
    case findNode(NodeID)
    /// Send me the values under this key, or else the k closest contacts. Answered with
    /// ``KademliaResponse/values(_:)`` or ``KademliaResponse/nodes(_:)``.
    case findValue(RecordKey)
    /// Send me the providers of this key and the k closest contacts. Answered with
    /// ``KademliaResponse/providers(_:closer:)``.
    case getProviders(RecordKey)
    /// Keep this value under this key for `ttl` (the receiver may shorten it). Answered with
    /// ``KademliaResponse/stored(_:)``.
    case store(RecordKey, value: [UInt8], ttl: Duration)
    /// Record the sender, at the address this request came from, as a provider of this key. Answered with
    /// ``KademliaResponse/stored(_:)``.
    case addProvider(RecordKey, relays: [NodeAddress] = [])
    /// Send me the mutable record you hold under this key, and the k closest contacts. Answered with
    /// ``KademliaResponse/record(_:closer:)``.
    case getRecord(RecordKey)
    /// Keep this mutable record under its key if it is valid and newer than the one you hold. Answered with
    /// ``KademliaResponse/stored(_:)``.
    case putRecord(MutableRecord)
    /// Have a third node send a ``dialProbe(nonce:)`` with this nonce to the address this request came from (and
    /// to no other). Answered with ``KademliaResponse/dialStatus(_:observed:)`` once a helper sent the probe, or
    /// refused.
    case dialBack(nonce: UInt64)
    /// Send a ``dialProbe(nonce:)`` with this nonce to `target`, from an address other than the one you talk from.
    /// Answered with ``KademliaResponse/dialStatus(_:observed:)``.
    case dialRequest(nonce: UInt64, target: NodeAddress)
    /// The probe of a dial-back: it arriving at all is the message. Never answered.
    case dialProbe(nonce: UInt64)
}

/// The responses of the DHT protocol.
public enum KademliaResponse: Hashable, Sendable {
    /// The answer to ``KademliaRequest/ping``.
    case pong
    /// Up to k contacts closest to the requested ID.
    case nodes([Contact])
    /// The values stored under the requested key.
    case values([DHTValue])
    /// Providers of the requested key, and up to k contacts closest to it.
    case providers([Contact], closer: [Contact])
    /// Whether a store, add-provider or put-record request was accepted.
    case stored(StoreOutcome)
    /// The mutable record held under the requested key (`nil` when none), and up to k contacts closest to it.
    case record([UInt8]?, closer: [Contact])
    /// What became of a dial-back or dial request, and the address the request came from as the responder saw it
    /// (the requester's observed address).
    case dialStatus(DialStatus, observed: NodeAddress)
}
