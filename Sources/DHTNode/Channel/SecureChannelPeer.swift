import DHTCrypto

/// Who is at the other end of an authenticated channel, and what the handshake settled.
public struct SecureChannelPeer: Sendable, Hashable {
    /// The peer's Ed25519 public key, proven during the handshake. Its node ID is SHA-256 of these bytes.
    public let publicKey: Ed25519PublicKey
    /// The frame protocol version both sides speak.
    public let version: UInt8
    /// The cipher protecting the frames.
    public let cipher: AEADCipher
    /// SHA-256 of the handshake, equal on both sides and unique to the connection.
    public let transcriptHash: [UInt8]
}
