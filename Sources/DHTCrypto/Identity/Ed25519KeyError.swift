/// Why bytes could not be used as an Ed25519 key.
public enum Ed25519KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A public key must be exactly 32 bytes (the count found is attached).
    case wrongPublicKeyLength(Int)
    /// A private-key seed must be exactly 32 bytes (the count found is attached).
    case wrongSeedLength(Int)

    /// A sentence naming what was wrong, for logs and command-line errors.
    public var description: String {
        switch self {
        case .wrongPublicKeyLength(let count): "an Ed25519 public key is 32 bytes, got \(count)"
        case .wrongSeedLength(let count): "an Ed25519 seed is 32 bytes, got \(count)"
        }
    }
}
