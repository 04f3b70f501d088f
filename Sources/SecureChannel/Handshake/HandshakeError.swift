import DHTCrypto

/// Why a secure-channel handshake failed. ``reason`` is a short stable label for counters.
///
/// A side that fails sends nothing more and closes the connection (docs/PROTOCOL.md, "Secure channel").
public enum HandshakeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A message's length prefix is outside what its step allows (the length found is attached).
    case badLength(Int)
    /// Message 1 does not start with the magic `swiftdht`: not a swift-dht peer.
    case badMagic
    /// A message's body does not parse (bad counts, a zero or repeated version, wrong size).
    case malformed
    /// The two sides share no version.
    case noCommonVersion
    /// The two sides share no cipher.
    case noCommonCipher
    /// The responder chose a version or cipher the initiator did not offer, or not the one the rules give.
    case badChoice
    /// Message 1's swarm tag is wrong: the initiator holds another swarm key, or none, or this side has none.
    case swarmKeyMismatch
    /// An ephemeral key gave an all-zero shared secret (a key of small order).
    case weakEphemeralKey
    /// A sealed identity did not decrypt: another swarm key, or altered bytes.
    case decryptionFailed
    /// The identity's signature over the transcript does not verify.
    case badSignature
    /// The responder proved another identity than the one the initiator expected (the key found is attached).
    case unexpectedPeer(Ed25519PublicKey)
    /// The peer proved the same identity as this node.
    case connectedToSelf

    /// A short stable label (`"bad-magic"`, `"swarm-key-mismatch"`, ...) for counters and logs.
    public var reason: String {
        switch self {
        case .badLength: "bad-length"
        case .badMagic: "bad-magic"
        case .malformed: "malformed"
        case .noCommonVersion: "no-common-version"
        case .noCommonCipher: "no-common-cipher"
        case .badChoice: "bad-choice"
        case .swarmKeyMismatch: "swarm-key-mismatch"
        case .weakEphemeralKey: "weak-ephemeral-key"
        case .decryptionFailed: "decryption-failed"
        case .badSignature: "bad-signature"
        case .unexpectedPeer: "unexpected-peer"
        case .connectedToSelf: "connected-to-self"
        }
    }

    /// A sentence naming what was wrong.
    public var description: String {
        switch self {
        case .badLength(let length): "handshake message length \(length) is not allowed at this step"
        case .badMagic: "the peer does not speak the swift-dht secure channel (bad magic)"
        case .malformed: "a handshake message does not parse"
        case .noCommonVersion: "no protocol version in common"
        case .noCommonCipher: "no cipher in common"
        case .badChoice: "the responder chose a version or cipher that was not offered"
        case .swarmKeyMismatch: "the peer holds another swarm key (or none)"
        case .weakEphemeralKey: "the peer's ephemeral key gives an all-zero shared secret"
        case .decryptionFailed: "the peer's sealed identity did not decrypt (another swarm key, or altered bytes)"
        case .badSignature: "the peer's signature over the handshake does not verify"
        case .unexpectedPeer(let key): "the peer is \(key), not the expected node"
        case .connectedToSelf: "the peer has this node's own identity"
        }
    }
}
