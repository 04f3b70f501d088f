import Kademlia

/// A message of the hole-punch coordination, carried over the relayed connection's secure channel inside an
/// exchange `HOLE_PUNCH` message (docs/PROTOCOL.md, "Hole punching"). The relay cannot read or alter it.
public enum HolePunchMessage: Hashable, Sendable {
    /// `CONNECT`: the addresses the sender can be reached at from outside (what peers observe), and whether it is
    /// reachable directly (a public node, which the other side simply dials).
    case connect(addresses: [NodeAddress], reachable: Bool)
    /// `SYNC`: "dial now"; the sender dials half a round trip later, so that both SYNs cross the NATs together.
    case sync

    /// The most addresses one `CONNECT` carries.
    public static let maxAddresses = 8

    /// The largest encoded message: `CONNECT` with eight IPv6 addresses.
    public static let maxByteCount = 3 + maxAddresses * 19

    /// The bytes: kind (`01` connect, `02` sync); a `CONNECT` then has flags (bit 0: reachable) and a count of
    /// addresses, each as in a DHT contact (family `4` or `6`, address, port).
    public func encoded() -> [UInt8] {
        switch self {
        case .sync:
            return [0x02]
        case .connect(let addresses, let reachable):
            let kept = addresses.prefix(Self.maxAddresses)
            var bytes: [UInt8] = [0x01, reachable ? 0x01 : 0x00, UInt8(kept.count)]
            for address in kept { RelayMessage.append(address, to: &bytes) }
            return bytes
        }
    }

    /// Reads one message that fills `bytes` exactly.
    ///
    /// - Throws: ``HolePunchWireError`` naming what is wrong.
    public init(decoding bytes: some Collection<UInt8>) throws(HolePunchWireError) {
        let bytes = Array(bytes)
        guard let kind = bytes.first else { throw .empty }
        switch kind {
        case 0x02:
            guard bytes.count == 1 else { throw .trailingBytes }
            self = .sync
        case 0x01:
            guard bytes.count >= 3 else { throw .truncated }
            guard bytes[1] & ~0x01 == 0 else { throw .unknownFlags(bytes[1]) }
            let count = Int(bytes[2])
            guard count <= Self.maxAddresses else { throw .tooManyAddresses(count) }
            var cursor = BodyCursor(bytes: bytes, offset: 3)
            var addresses: [NodeAddress] = []
            for _ in 0..<count {
                do {
                    guard let address = try cursor.address(optional: false) else { throw HolePunchWireError.badAddress }
                    addresses.append(address)
                } catch {
                    throw .badAddress
                }
            }
            guard cursor.isAtEnd else { throw .trailingBytes }
            self = .connect(addresses: addresses, reachable: bytes[1] & 0x01 != 0)
        default:
            throw .unknownKind(kind)
        }
    }
}

/// Why bytes could not be read as a ``HolePunchMessage``. The receiver ignores the message; the punch it belongs
/// to then times out and the connection stays relayed.
public enum HolePunchWireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No bytes.
    case empty
    /// A kind byte other than `01` or `02`.
    case unknownKind(UInt8)
    /// Flag bits other than bit 0.
    case unknownFlags(UInt8)
    /// More than ``HolePunchMessage/maxAddresses`` addresses.
    case tooManyAddresses(Int)
    /// An address family other than 4 or 6, port 0, or an address cut short.
    case badAddress
    /// A `CONNECT` shorter than its 3-byte head.
    case truncated
    /// Bytes after the message's end.
    case trailingBytes

    /// One line for logs.
    public var description: String {
        switch self {
        case .empty: "empty hole-punch message"
        case .unknownKind(let kind): "unknown hole-punch message kind \(kind)"
        case .unknownFlags(let flags): "unknown hole-punch flags \(flags)"
        case .tooManyAddresses(let count): "hole-punch CONNECT with \(count) addresses (at most \(HolePunchMessage.maxAddresses))"
        case .badAddress: "bad address in a hole-punch CONNECT"
        case .truncated: "hole-punch CONNECT cut short"
        case .trailingBytes: "bytes after the end of a hole-punch message"
        }
    }
}
