import DHTCrypto

/// Names a peer of the exchange by value: its node ID (SHA-256 of its Ed25519 public key), which the secure
/// channel authenticated. Bans and ledgers are kept per peer, so a reconnect under a new address does not escape
/// them.
public struct ExchangePeer: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The peer's node ID.
    public let id: SHA256Digest

    /// Wraps a node ID.
    public init(id: SHA256Digest) { self.id = id }

    /// Orders peers by their ID bytes (for deterministic iteration).
    public static func < (lhs: ExchangePeer, rhs: ExchangePeer) -> Bool {
        lhs.id.bytes.lexicographicallyPrecedes(rhs.id.bytes)
    }

    /// The first 8 hex digits of the ID.
    public var description: String { String(id.description.prefix(8)) }
}
