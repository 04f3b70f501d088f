import Kademlia

/// Cuts a byte stream into relay messages. It holds at most one incomplete message (75 bytes): a length over
/// ``RelayMessage/maxBodyByteCount`` fails as soon as its 2 bytes arrive.
public struct RelayMessageReader: Sendable {
    private var pending: [UInt8] = []

    /// An empty reader.
    public init() {}

    /// Bytes received but not yet part of a whole message: after the message that starts a splice, the other
    /// end's first bytes.
    public var remainder: [UInt8] { pending }

    /// Takes the bytes left over (the reader is empty afterwards).
    public mutating func takeRemainder() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    /// Appends `bytes` and returns the next whole message, if one is complete; call ``next()`` for any further.
    public mutating func read(_ bytes: some Collection<UInt8>) throws(RelayWireError) -> RelayMessage? {
        pending.append(contentsOf: bytes)
        return try next()
    }

    /// The next whole message in the bytes held, or `nil` when it is not complete yet.
    public mutating func next() throws(RelayWireError) -> RelayMessage? {
        guard pending.count >= 2 else { return nil }
        let length = Int(pending[0]) << 8 | Int(pending[1])
        guard (RelayMessage.magic.count + 1...RelayMessage.maxBodyByteCount).contains(length) else {
            throw .badLength(length)
        }
        guard pending.count >= 2 + length else { return nil }
        let body = Array(pending[2..<2 + length])
        pending.removeFirst(2 + length)
        return try RelayMessage(body: body)
    }

    /// Whether `prefix` (the first bytes of a connection, at least 10) starts a relay message rather than a
    /// secure-channel handshake.
    public static func startsRelayMessage(_ prefix: some Collection<UInt8>) -> Bool {
        let bytes = Array(prefix.prefix(2 + RelayMessage.magic.count))
        return bytes.count == 2 + RelayMessage.magic.count && Array(bytes[2...]) == RelayMessage.magic
    }
}

extension RelayMessage {
    /// Decodes a body (without its length prefix).
    public init(body: [UInt8]) throws(RelayWireError) {
        guard body.count > Self.magic.count, Array(body[..<Self.magic.count]) == Self.magic else { throw .badMagic }
        let type = body[Self.magic.count]
        var fields = BodyCursor(bytes: body, offset: Self.magic.count + 1)
        let size = body.count - Self.magic.count - 1
        func expect(_ sizes: Int...) throws(RelayWireError) {
            guard sizes.contains(size) else { throw .badSize(type: type, size: size) }
        }
        switch type {
        case 0x01:
            try expect(Self.keyByteCount)
            self = .reserve(publicKey: fields.take(Self.keyByteCount))
        case 0x02:
            try expect(Self.keyByteCount)
            self = .challenge(nonce: fields.take(Self.keyByteCount))
        case 0x03:
            try expect(Self.signatureByteCount)
            self = .proof(signature: fields.take(Self.signatureByteCount))
        case 0x04:
            try expect(18, 24, 36)
            let status = try Self.status(fields.take(1)[0])
            let lifetime = UInt32(fields.integer(4))
            let limits = RelayCircuitLimits(bytes: fields.integer(8), seconds: UInt32(fields.integer(4)))
            let observed = try fields.address(optional: true)
            guard fields.isAtEnd else { throw .badSize(type: type, size: size) }
            self = .reserved(status, lifetimeSeconds: lifetime, limits: limits, observed: observed)
        case 0x05:
            try expect(0)
            self = .renew
        case 0x06:
            try expect(Self.keyByteCount)
            guard let target = try? NodeID(bytes: fields.take(Self.keyByteCount)) else {
                throw .badSize(type: type, size: size)
            }
            self = .connect(target: target)
        case 0x07:
            try expect(Self.tokenByteCount + 7, Self.tokenByteCount + 19)
            let token = fields.take(Self.tokenByteCount)
            guard let from = try fields.address(optional: false) else { throw .badAddress }
            guard fields.isAtEnd else { throw .badSize(type: type, size: size) }
            self = .incoming(token: token, from: from)
        case 0x08:
            try expect(Self.tokenByteCount)
            self = .accept(token: fields.take(Self.tokenByteCount))
        case 0x09:
            try expect(13)
            let status = try Self.status(fields.take(1)[0])
            self = .circuit(
                status, limits: RelayCircuitLimits(bytes: fields.integer(8), seconds: UInt32(fields.integer(4))))
        case 0x0A:
            try expect(8)
            self = .probe(nonce: fields.integer(8))
        default:
            throw .unknownType(type)
        }
    }

    private static func status(_ byte: UInt8) throws(RelayWireError) -> RelayStatus {
        guard let status = RelayStatus(rawValue: byte) else { throw .unknownStatus(byte) }
        return status
    }
}
