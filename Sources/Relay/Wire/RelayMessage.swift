import Kademlia

/// One message of the relay protocol (docs/PROTOCOL.md, "Relays").
///
/// On the wire a message is a 2-byte big-endian body length, then the body: the 8 ASCII bytes `swiftrly`, a type
/// byte and the fields. The magic sits where a secure-channel handshake's message 1 has `swiftdht`, so a listener
/// tells the two apart from the first 10 bytes of a connection.
public enum RelayMessage: Hashable, Sendable {
    /// A node asks for a reservation under its Ed25519 public key.
    case reserve(publicKey: [UInt8])
    /// The relay's challenge: the reserving node signs it to prove its key.
    case challenge(nonce: [UInt8])
    /// The signature over ``RelayProof/signedBytes(nonce:publicKey:)``.
    case proof(signature: [UInt8])
    /// The relay's answer to a proof or a renewal: the status and, when `ok`, the reservation's lifetime, the caps
    /// on each relayed connection, and the address the relay sees the node at.
    case reserved(RelayStatus, lifetimeSeconds: UInt32, limits: RelayCircuitLimits, observed: NodeAddress?)
    /// Keeps a reservation (and the NAT mapping under it) alive for another lifetime.
    case renew
    /// A node asks to be connected to `target`, which must hold a reservation.
    case connect(target: NodeID)
    /// Relay to reserved node, on its reservation's connection: someone at `from` wants a connection; open a new
    /// connection to the relay and `accept` with `token`.
    case incoming(token: [UInt8], from: NodeAddress)
    /// The reserved node takes the connection `token` names, on a new connection.
    case accept(token: [UInt8])
    /// The relay's answer to `connect` and `accept`. With `ok`, the next byte on the connection comes from the
    /// other end: the relay splices the two connections, within `limits`.
    case circuit(RelayStatus, limits: RelayCircuitLimits)
    /// A dial-back's TCP probe (docs/PROTOCOL.md, "Dial-backs"): a helper connects to the exchange port at a
    /// node's observed address and sends the dial-back's nonce; its arrival shows the port can be reached over TCP.
    case probe(nonce: UInt64)

    /// The magic every body starts with.
    public static let magic: [UInt8] = Array("swiftrly".utf8)
    /// Bytes of a public key, a node ID, a challenge nonce.
    public static let keyByteCount = 32
    /// Bytes of a signature.
    public static let signatureByteCount = 64
    /// Bytes of a circuit token.
    public static let tokenByteCount = 16
    /// The longest body any message has (a `proof`); a longer length is refused at once.
    public static let maxBodyByteCount = 73

    /// The type byte.
    public var type: UInt8 {
        switch self {
        case .reserve: 0x01
        case .challenge: 0x02
        case .proof: 0x03
        case .reserved: 0x04
        case .renew: 0x05
        case .connect: 0x06
        case .incoming: 0x07
        case .accept: 0x08
        case .circuit: 0x09
        case .probe: 0x0A
        }
    }

    /// The message with its length prefix.
    ///
    /// - Precondition: keys, nonces, signatures and tokens have their sizes (the decoder refuses others).
    public func encoded() -> [UInt8] {
        var body = Self.magic
        body.append(type)
        switch self {
        case .reserve(let key):
            precondition(key.count == Self.keyByteCount)
            body += key
        case .challenge(let nonce):
            precondition(nonce.count == Self.keyByteCount)
            body += nonce
        case .proof(let signature):
            precondition(signature.count == Self.signatureByteCount)
            body += signature
        case .reserved(let status, let lifetime, let limits, let observed):
            body.append(status.rawValue)
            Self.append(UInt64(lifetime), bytes: 4, to: &body)
            limits.append(to: &body)
            if let observed { Self.append(observed, to: &body) } else { body.append(0) }
        case .renew:
            break
        case .connect(let target):
            body += target.bytes
        case .incoming(let token, let from):
            precondition(token.count == Self.tokenByteCount)
            body += token
            Self.append(from, to: &body)
        case .accept(let token):
            precondition(token.count == Self.tokenByteCount)
            body += token
        case .circuit(let status, let limits):
            body.append(status.rawValue)
            limits.append(to: &body)
        case .probe(let nonce):
            Self.append(nonce, bytes: 8, to: &body)
        }
        var message: [UInt8] = []
        message.reserveCapacity(2 + body.count)
        Self.append(UInt64(body.count), bytes: 2, to: &message)
        return message + body
    }

    static func append(_ value: UInt64, bytes: Int, to output: inout [UInt8]) {
        for index in stride(from: bytes - 1, through: 0, by: -1) {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index)))
        }
    }

    /// An address as in a DHT contact: family `4` or `6`, the address, the port.
    static func append(_ address: NodeAddress, to output: inout [UInt8]) {
        switch address.host {
        case .ipv4(let value):
            output.append(4)
            append(UInt64(value), bytes: 4, to: &output)
        case .ipv6(let high, let low):
            output.append(6)
            append(high, bytes: 8, to: &output)
            append(low, bytes: 8, to: &output)
        }
        append(UInt64(address.port), bytes: 2, to: &output)
    }
}
