/// What a reserving node signs to prove its key: the ASCII label `swift-dht/relay1/reserve`, the relay's 32-byte
/// challenge, and the node's 32-byte public key. The challenge is fresh per connection, so a proof cannot be
/// replayed on another one.
public enum RelayProof {
    /// The label.
    public static let label: [UInt8] = Array("swift-dht/relay1/reserve".utf8)

    /// The bytes to sign.
    public static func signedBytes(nonce: [UInt8], publicKey: [UInt8]) -> [UInt8] {
        label + nonce + publicKey
    }
}
