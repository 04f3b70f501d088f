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

    /// A request or a response.
    public enum Body: Sendable {
        /// A request to the receiver.
        case request(KademliaRequest)
        /// A response to one of the receiver's requests.
        case response(KademliaResponse)
    }

    /// Creates a message.
    public init(transactionID: TransactionID, sender: NodeID, body: Body) {
        self.transactionID = transactionID
        self.sender = sender
        self.body = body
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
    case addProvider(RecordKey)
    /// Send me the mutable record you hold under this key, and the k closest contacts. Answered with
    /// ``KademliaResponse/record(_:closer:)``.
    case getRecord(RecordKey)
    /// Keep this mutable record under its key if it is valid and newer than the one you hold. Answered with
    /// ``KademliaResponse/stored(_:)``.
    case putRecord(MutableRecord)
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
}
