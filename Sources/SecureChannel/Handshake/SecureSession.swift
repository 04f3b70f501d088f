import DHTCrypto

/// The outcome of a successful handshake: who the peer is, what was negotiated, and the keys for each direction.
public struct SecureSession: Sendable {
    /// The peer's Ed25519 public key, proven by its signature over the handshake (its node ID is SHA-256 of it).
    public let peerKey: Ed25519PublicKey
    /// The protocol version both sides speak from now on.
    public let version: UInt8
    /// The cipher of every frame.
    public let cipher: AEADCipher
    /// Seals frames this side sends.
    public var sealer: SecureFrameSealer
    /// Opens frames this side receives.
    public var opener: SecureFrameOpener
    /// Bytes received after the last handshake message: the start of the peer's first frames.
    public let remainder: [UInt8]
    /// SHA-256 of the whole handshake: the same on both sides, unique to this connection (channel binding).
    public let transcriptHash: [UInt8]
}
