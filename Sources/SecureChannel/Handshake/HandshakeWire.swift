import DHTCrypto

/// The constants of the handshake's byte layout (docs/PROTOCOL.md, "Secure channel").
public enum HandshakeWire {
    /// The 8 bytes that open the first message: ASCII `swiftdht`.
    public static let magic: [UInt8] = Array("swiftdht".utf8)
    /// Every handshake message starts with a 2-byte big-endian length of the body that follows.
    public static let lengthPrefixByteCount = 2
    /// The largest body a handshake message may have; a longer length prefix fails the handshake at once.
    public static let maxBodyByteCount = 512
    /// The most versions message 1 may list.
    public static let maxVersionCount = 16
    /// The most cipher IDs message 1 may list.
    public static let maxCipherCount = 8
    /// Length of message 1's swarm tag (the first 16 bytes of an HMAC-SHA-256).
    public static let swarmTagByteCount = 16
    /// Length of the sealed identity in messages 2 and 3: public key, signature, AEAD tag.
    public static let sealedIdentityByteCount =
        Ed25519PublicKey.byteCount + Ed25519PublicKey.signatureByteCount + AEADCipher.tagByteCount
    /// The body of message 2: version, cipher, responder ephemeral key, sealed identity (146 bytes).
    public static let message2BodyByteCount = 2 + X25519PublicKey.byteCount + sealedIdentityByteCount
    /// The body of message 3: the sealed identity (112 bytes).
    public static let message3BodyByteCount = sealedIdentityByteCount
    /// The smallest body of message 1: magic, one version, one cipher, ephemeral key, swarm tag (60 bytes).
    public static let minMessage1BodyByteCount = 8 + 2 + 2 + X25519PublicKey.byteCount + swarmTagByteCount
}
