import DHTCrypto

/// The handshake's labels and key derivations (docs/PROTOCOL.md, "Secure channel: key schedule").
///
/// Every label starts with `swift-dht/sc1/` then the mode, `swarm` with a swarm key or `open` without (the
/// pre-shared key is then 32 zero bytes): an open node and a swarm whose key happens to be all zero never agree.
struct HandshakeKeySchedule: Sendable {
    /// The pre-shared key: the swarm key or 32 zero bytes.
    let presharedKey: [UInt8]
    /// `swift-dht/sc1/swarm/` or `swift-dht/sc1/open/`.
    let labelPrefix: String

    init(swarmKey: SwarmKey?) {
        presharedKey = swarmKey?.bytes ?? [UInt8](repeating: 0, count: SwarmKey.byteCount)
        labelPrefix = swarmKey == nil ? "swift-dht/sc1/open/" : "swift-dht/sc1/swarm/"
    }

    func label(_ name: String) -> [UInt8] {
        Array((labelPrefix + name).utf8)
    }

    /// Message 1's swarm tag: the first 16 bytes of HMAC-SHA-256 under
    /// `HKDF(salt: empty, ikm: psk, info: "<prefix>msg1-tag")` over the message up to the tag.
    func message1Tag(over bytes: some ContiguousBytes) -> [UInt8] {
        let tagKey = HKDFSHA256.deriveKey(
            inputKeyMaterial: presharedKey,
            salt: [UInt8](),
            info: label("msg1-tag"),
            byteCount: 32
        )
        return Array(HMACSHA256.authenticationCode(for: bytes, key: tagKey).prefix(HandshakeWire.swarmTagByteCount))
    }

    /// `HKDF-Extract(salt: psk, ikm: X25519(e_i, e_r))`.
    func pseudoRandomKey(sharedSecret: [UInt8]) -> [UInt8] {
        HKDFSHA256.extract(salt: presharedKey, inputKeyMaterial: sharedSecret)
    }

    /// `HKDF-Expand(prk, "<prefix><name>" || transcriptHash, 32)` as a key for `cipher`.
    func key(_ name: String, pseudoRandomKey: [UInt8], transcriptHash: [UInt8], cipher: AEADCipher) -> AEADKey {
        let bytes = HKDFSHA256.expand(
            pseudoRandomKey: pseudoRandomKey,
            info: label(name) + transcriptHash,
            byteCount: AEADCipher.keyByteCount
        )
        // The configuration only offers ciphers this CPU runs, and a key is always 32 bytes.
        return try! AEADKey(cipher: cipher, bytes: bytes)
    }

    /// What a side signs: `"swift-dht/sc1/<role>-signature" || transcriptHash` (no mode: the transcript already
    /// depends on it through the tag and the sealed identities).
    static func signedMessage(role: String, transcriptHash: [UInt8]) -> [UInt8] {
        Array("swift-dht/sc1/\(role)-signature".utf8) + transcriptHash
    }
}
