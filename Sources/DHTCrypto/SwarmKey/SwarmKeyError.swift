/// Why bytes could not be used as a ``SwarmKey``.
public enum SwarmKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A swarm key must be exactly 32 bytes (the count found is attached).
    case wrongLength(Int)

    /// A sentence naming what was wrong.
    public var description: String {
        switch self {
        case .wrongLength(let count): "a swarm key is 32 bytes, got \(count)"
        }
    }
}
