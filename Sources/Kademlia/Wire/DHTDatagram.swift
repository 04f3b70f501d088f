/// What goes in one UDP datagram of the DHT protocol: a header (version, type, flags, transaction ID, the sender's
/// Ed25519 public key) and the body of one request or response (docs/PROTOCOL.md, "DHT: datagram layout").
///
/// The sender's node ID is not on the wire: a receiver derives it as SHA-256 of ``senderKey`` (``senderID``), so
/// the key is the identity. ``init(decoding:)`` reads a datagram and rejects anything malformed with a
/// ``DHTDatagramError`` naming the field and its offset; ``encoded(maxByteCount:)`` writes one, cutting contact and
/// value lists so that it fits. The encoding is canonical: bytes that decode encode back to the same bytes.
public struct DHTDatagram: Sendable, Equatable {
    /// The version this codec reads and writes. A receiver MUST drop any other version.
    public static let version: UInt8 = 1
    /// Largest datagram sent or accepted, in bytes (the IPv6 minimum MTU).
    public static let maxByteCount = 1280
    /// Bytes before the body: version, type, flags, transaction ID, sender key.
    public static let headerByteCount = 43
    /// Length of the sender's Ed25519 public key.
    public static let senderKeyByteCount = 32
    /// Longest write token.
    public static let maxWriteTokenByteCount = 32
    /// Length of the Ed25519 signature in a `PONG`.
    public static let signatureByteCount = 64
    /// The flag bit that says zero bytes of padding follow the body (docs/PROTOCOL.md, "Amplification").
    public static let paddedFlag: UInt8 = 0x01
    /// The flag bit that says the sender runs as a DHT client: receivers neither verify nor admit it
    /// (docs/PROTOCOL.md, "Reachability and client mode"). Only requests carry it.
    public static let clientFlag: UInt8 = 0x02
    /// Bytes of a dial-back nonce.
    public static let nonceByteCount = 8
    /// What a `PONG` signs, before the transaction ID and the requester's key.
    public static let pongSignatureContext = Array("swift-dht pong v1".utf8)
    /// Most contacts in one list (k).
    public static let maxContacts = 20
    /// The most relays an `ADD_PROVIDER` names (a private node holds two reservations).
    public static let maxRelays = 2
    /// Most values in one `VALUES` reply (the default values per key).
    public static let maxValues = RecordLimits().maxValuesPerKey
    /// Longest value (the default ``RecordLimits/maxValueBytes``).
    public static let maxValueByteCount = RecordLimits().maxValueBytes

    /// Request and response share it.
    public var transactionID: TransactionID
    /// The sender's Ed25519 public key (32 bytes).
    public var senderKey: [UInt8]
    /// The request or response.
    public var body: KademliaMessage.Body
    /// The write token (0–32 opaque bytes; empty when there is none). `NODES` and `PROVIDERS` hand one out, and
    /// `STORE` and `ADD_PROVIDER` present it; other types have no token field, and encode without it.
    public var writeToken: [UInt8]
    /// A `PONG`'s Ed25519 signature (64 bytes) over ``pongChallenge(transactionID:requesterKey:)``: proof that the
    /// holder of ``senderKey`` answered this very request. Empty for other types, which carry none.
    public var signature: [UInt8]
    /// Zero bytes after the body (0 for none). A requester pads so that a node that does not know it yet may
    /// answer in full within the amplification limit; the `PADDED` flag says they are there.
    public var paddingByteCount: Int
    /// The `CLIENT` flag: the sender runs as a DHT client. Only on requests; a response encodes without it.
    public var isClient: Bool

    /// Creates a datagram.
    public init(
        transactionID: TransactionID,
        senderKey: [UInt8],
        body: KademliaMessage.Body,
        writeToken: [UInt8] = [],
        signature: [UInt8] = [],
        paddingByteCount: Int = 0,
        isClient: Bool = false
    ) {
        self.transactionID = transactionID
        self.senderKey = senderKey
        self.body = body
        self.writeToken = writeToken
        self.signature = signature
        self.paddingByteCount = paddingByteCount
        self.isClient = isClient
    }

    /// Wraps a core message for sending with the sender's public key. The message's `sender` is not sent: the
    /// receiver derives it from `senderKey`, which must be the key whose SHA-256 is that ID.
    public init(
        _ message: KademliaMessage,
        senderKey: [UInt8],
        writeToken: [UInt8] = [],
        signature: [UInt8] = [],
        paddingByteCount: Int = 0
    ) {
        self.init(
            transactionID: message.transactionID,
            senderKey: senderKey,
            body: message.body,
            writeToken: writeToken,
            signature: signature,
            paddingByteCount: paddingByteCount,
            isClient: message.isClient
        )
    }

    /// The bytes a `PONG` signs: ``pongSignatureContext``, the transaction ID (8 bytes, big-endian) and the
    /// requester's public key. The transaction ID is 64 random bits the responder could not know before our
    /// `PING`, so a valid signature proves that the key's holder answered it.
    public static func pongChallenge(transactionID: TransactionID, requesterKey: [UInt8]) -> [UInt8] {
        var bytes = pongSignatureContext
        bytes.reserveCapacity(bytes.count + 8 + requesterKey.count)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: transactionID.rawValue >> UInt64(shift)))
        }
        bytes.append(contentsOf: requesterKey)
        return bytes
    }

    /// The message type byte of ``body``.
    public var type: DHTMessageType { DHTMessageType(body) }

    /// The sender's node ID: SHA-256 of ``senderKey``.
    public var senderID: NodeID { NodeID(publicKeyBytes: senderKey) }

    /// The message for the core, with the sender's ID derived from its key.
    public var message: KademliaMessage {
        KademliaMessage(transactionID: transactionID, sender: senderID, body: body, isClient: isClient)
    }

    /// Equal when the transaction ID, sender key, body, write token, signature and padding are equal.
    public static func == (lhs: DHTDatagram, rhs: DHTDatagram) -> Bool {
        guard lhs.transactionID == rhs.transactionID, lhs.senderKey == rhs.senderKey,
            lhs.writeToken == rhs.writeToken, lhs.signature == rhs.signature,
            lhs.paddingByteCount == rhs.paddingByteCount, lhs.isClient == rhs.isClient
        else { return false }
        switch (lhs.body, rhs.body) {
        case (.request(let a), .request(let b)): return a == b
        case (.response(let a), .response(let b)): return a == b
        default: return false
        }
    }
}

// MARK: - Sizes and cutting to fit

extension DHTDatagram {
    /// Bytes of one contact on the wire: 39 for IPv4, 51 for IPv6.
    public static func byteCount(of contact: Contact) -> Int {
        switch contact.address.host {
        case .ipv4: NodeID.byteCount + 1 + 4 + 2
        case .ipv6: NodeID.byteCount + 1 + 16 + 2
        }
    }

    /// Bytes of an address on the wire (family, address, port): 7 for IPv4, 19 for IPv6.
    public static func byteCount(of address: NodeAddress) -> Int {
        switch address.host {
        case .ipv4: 1 + 4 + 2
        case .ipv6: 1 + 16 + 2
        }
    }

    /// Bytes of one value on the wire: publisher, length, data.
    public static func byteCount(of value: DHTValue) -> Int {
        NodeID.byteCount + 2 + value.data.count
    }

    /// How many of `contacts`, from the front, fit in a `NODES` reply of at most `maxByteCount` bytes carrying a
    /// write token of `writeTokenByteCount` bytes (at most ``maxContacts``). The node's reply path uses it to cut
    /// its list; ``fitted(maxByteCount:)`` applies the same rule.
    public static func contactsFittingNodesReply(
        _ contacts: [Contact],
        writeTokenByteCount: Int = maxWriteTokenByteCount,
        maxByteCount: Int = maxByteCount
    ) -> Int {
        let fixed = headerByteCount + 1 + writeTokenByteCount + 1
        return prefixFitting(contacts, budget: maxByteCount - fixed, limit: maxContacts, size: byteCount(of:))
    }

    /// The length of the longest prefix of `items` (at most `limit`) whose sizes add up to at most `budget`.
    static func prefixFitting<T>(_ items: [T], budget: Int, limit: Int, size: (T) -> Int) -> Int {
        var used = 0
        var count = 0
        for item in items.prefix(limit) {
            used += size(item)
            guard used <= budget else { break }
            count += 1
        }
        return count
    }

    /// This datagram with its lists cut so that it encodes to at most `maxByteCount` bytes, and without a write
    /// token if its type has no token field.
    ///
    /// Rules (docs/PROTOCOL.md): each contact list keeps at most ``maxContacts`` and `VALUES` at most
    /// ``maxValues`` entries; lists are cut from the end, keeping their order; in `PROVIDERS` the providers are
    /// kept first and the closer contacts fill the space that remains. Requests and `STORED` are never cut
    /// (a `STORE` with a value of ``maxValueByteCount`` bytes is 1,138 bytes at most).
    public func fitted(maxByteCount: Int = DHTDatagram.maxByteCount) -> DHTDatagram {
        var copy = self
        if !type.carriesWriteToken { copy.writeToken = [] }
        if case .response = body {
            copy.paddingByteCount = 0
            copy.isClient = false
        }
        copy.paddingByteCount = max(0, min(copy.paddingByteCount, maxByteCount - (copy.byteCount - copy.paddingByteCount)))
        let token = 1 + copy.writeToken.count
        let header = Self.headerByteCount
        switch body {
        case .response(.nodes(let contacts)):
            let count = Self.contactsFittingNodesReply(
                contacts,
                writeTokenByteCount: copy.writeToken.count,
                maxByteCount: maxByteCount
            )
            copy.body = .response(.nodes(Array(contacts.prefix(count))))
        case .response(.values(let values)):
            let count = Self.prefixFitting(
                values,
                budget: maxByteCount - header - 1,
                limit: Self.maxValues,
                size: Self.byteCount(of:)
            )
            copy.body = .response(.values(Array(values.prefix(count))))
        case .response(.providers(let providers, let closer)):
            var budget = maxByteCount - header - token - 2
            let providerCount = Self.prefixFitting(
                providers,
                budget: budget,
                limit: Self.maxContacts,
                size: Self.byteCount(of:)
            )
            let kept = Array(providers.prefix(providerCount))
            budget -= kept.reduce(0) { $0 + Self.byteCount(of: $1) }
            let closerCount = Self.prefixFitting(
                closer,
                budget: budget,
                limit: Self.maxContacts,
                size: Self.byteCount(of:)
            )
            copy.body = .response(.providers(kept, closer: Array(closer.prefix(closerCount))))
        case .response(.record(let record, let closer)):
            // The record is kept whole (a part of one is worth nothing); the contacts fill what remains.
            let budget = maxByteCount - header - token - 2 - (record?.count ?? 0) - 1
            let closerCount = Self.prefixFitting(
                closer,
                budget: budget,
                limit: Self.maxContacts,
                size: Self.byteCount(of:)
            )
            copy.body = .response(.record(record, closer: Array(closer.prefix(closerCount))))
        default:
            break
        }
        return copy
    }

    /// The number of bytes ``encoded(maxByteCount:)`` writes for this datagram as it is (no cutting).
    public var byteCount: Int {
        let token = type.carriesWriteToken ? 1 + writeToken.count : 0
        let bodyBytes: Int
        switch body {
        case .request(let request):
            switch request {
            case .ping: bodyBytes = 0
            case .findNode, .findValue, .getProviders, .getRecord: bodyBytes = NodeID.byteCount
            case .addProvider(_, let relays):
                bodyBytes = NodeID.byteCount + 1 + relays.reduce(0) { $0 + Self.byteCount(of: $1) }
            case .store(_, let value, _): bodyBytes = NodeID.byteCount + 4 + 2 + value.count
            case .putRecord(let record): bodyBytes = 1 + record.routingKey.count + 2 + record.bytes.count
            case .dialBack, .dialProbe: bodyBytes = Self.nonceByteCount
            case .dialRequest(_, let target): bodyBytes = Self.nonceByteCount + Self.byteCount(of: target)
            }
        case .response(let response):
            switch response {
            case .pong: bodyBytes = Self.signatureByteCount
            case .nodes(let contacts): bodyBytes = 1 + contacts.reduce(0) { $0 + Self.byteCount(of: $1) }
            case .values(let values): bodyBytes = 1 + values.reduce(0) { $0 + Self.byteCount(of: $1) }
            case .providers(let providers, let closer):
                bodyBytes = 2 + (providers + closer).reduce(0) { $0 + Self.byteCount(of: $1) }
            case .stored: bodyBytes = 1
            case .record(let record, let closer):
                bodyBytes = 2 + (record?.count ?? 0) + 1 + closer.reduce(0) { $0 + Self.byteCount(of: $1) }
            case .dialStatus(_, let observed): bodyBytes = 1 + Self.byteCount(of: observed)
            }
        }
        return Self.headerByteCount + token + bodyBytes + max(0, paddingByteCount)
    }
}
