/// Why an X25519 key or key agreement was refused.
public enum X25519Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// A public or private key must be exactly 32 bytes (the count found is attached).
    case wrongKeyLength(Int)
    /// The shared secret came out all zero: the peer's public key has small order, so the result would be known
    /// to anyone. A key exchange MUST abort.
    case weakPublicKey

    /// A short stable label for counters and logs.
    public var reason: String {
        switch self {
        case .wrongKeyLength: "wrong-key-length"
        case .weakPublicKey: "weak-public-key"
        }
    }

    /// A sentence naming what was wrong.
    public var description: String {
        switch self {
        case .wrongKeyLength(let count): "an X25519 key is 32 bytes, got \(count)"
        case .weakPublicKey: "the X25519 shared secret is all zero (a public key of small order)"
        }
    }
}
