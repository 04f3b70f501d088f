import CSodium

/// Seals and opens the UDP datagrams of a private swarm (docs/PROTOCOL.md, "Private swarms").
///
/// The key is `HKDF-SHA256(swarm key, salt: "swift-dht datagram seal v1", info: "", 32 bytes)`. A sealed datagram
/// is `nonce (24 random bytes) || XChaCha20-Poly1305(key, nonce, datagram) (ciphertext and 16-byte tag)`, 40 bytes
/// longer than the datagram. Random 192-bit nonces never repeat in practice, however many nodes share the key and
/// however long it is used. A node without the key can neither read a member's datagram nor make one a member
/// accepts.
public struct DatagramSealer: Sendable {
    /// Bytes a seal adds: the nonce and the tag.
    public static let overheadByteCount = nonceByteCount + tagByteCount
    static let nonceByteCount = 24
    static let tagByteCount = 16
    static let salt = Array("swift-dht datagram seal v1".utf8)

    private let key: [UInt8]

    /// The sealer of the swarm with `swarmKey`.
    public init(swarmKey: SwarmKey) {
        Sodium.ensureInitialized()
        key = HKDFSHA256.deriveKey(inputKeyMaterial: swarmKey.bytes, salt: Self.salt, info: [UInt8](), byteCount: 32)
    }

    /// `datagram`, sealed.
    public func seal(_ datagram: [UInt8]) -> [UInt8] {
        var sealed = [UInt8](repeating: 0, count: Self.overheadByteCount + datagram.count)
        sealed.withUnsafeMutableBytes { output in
            let nonce = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
            randombytes_buf(nonce, Self.nonceByteCount)
            var written: UInt64 = 0
            datagram.withUnsafeBufferPointer { message in
                key.withUnsafeBufferPointer { key in
                    _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                        nonce + Self.nonceByteCount, &written,
                        message.baseAddress, UInt64(message.count),
                        nil, 0, nil, nonce, key.baseAddress!
                    )
                }
            }
        }
        return sealed
    }

    /// The datagram inside `sealed`, or `nil` when it is too short or was not sealed with this swarm's key (or was
    /// changed on the way).
    public func open(_ sealed: [UInt8]) -> [UInt8]? {
        guard sealed.count >= Self.overheadByteCount else { return nil }
        var datagram = [UInt8](repeating: 0, count: sealed.count - Self.overheadByteCount)
        let status = sealed.withUnsafeBufferPointer { input in
            datagram.withUnsafeMutableBufferPointer { output in
                key.withUnsafeBufferPointer { key in
                    var written: UInt64 = 0
                    return crypto_aead_xchacha20poly1305_ietf_decrypt(
                        output.baseAddress, &written, nil,
                        input.baseAddress! + Self.nonceByteCount, UInt64(input.count - Self.nonceByteCount),
                        nil, 0, input.baseAddress!, key.baseAddress!
                    )
                }
            }
        }
        return status == 0 ? datagram : nil
    }
}
