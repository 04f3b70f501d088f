import CSodium

/// HMAC-SHA-256 (RFC 2104) through libsodium: a keyed tag that only a holder of the key can compute.
///
/// The DHT uses it for write tokens: a node hands a requester `HMAC(secret, requester's address)` and accepts a
/// STORE only with a token that matches, which proves the requester receives datagrams at that address.
public enum HMACSHA256 {
    /// Length of a tag in bytes.
    public static let tagByteCount = Int(crypto_auth_hmacsha256_BYTES)
    /// Length of a key in bytes (longer keys are allowed by HMAC but not needed here).
    public static let keyByteCount = Int(crypto_auth_hmacsha256_KEYBYTES)

    /// The 32-byte tag of `message` under `key`.
    public static func authenticationCode(
        for message: some ContiguousBytes,
        key: some ContiguousBytes
    ) -> [UInt8] {
        Sodium.ensureInitialized()
        var state = crypto_auth_hmacsha256_state()
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        key.withUnsafeBytes { keyBuffer in
            withNonNullBase(keyBuffer) { _ = crypto_auth_hmacsha256_init(&state, $0, keyBuffer.count) }
        }
        message.withUnsafeBytes { messageBuffer in
            withNonNullBase(messageBuffer) {
                _ = crypto_auth_hmacsha256_update(&state, $0, UInt64(messageBuffer.count))
            }
        }
        _ = crypto_auth_hmacsha256_final(&state, &tag)
        return tag
    }
}
