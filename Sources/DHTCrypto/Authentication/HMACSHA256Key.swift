import CSodium

/// An HMAC-SHA-256 key prepared once, for many tags under the same key.
///
/// Preparing hashes the key's inner and outer pad blocks; each ``authenticationCode(for:)`` then starts from a
/// copy of that state, so a short message costs two SHA-256 blocks instead of four, and no allocation but the tag.
/// The node computes one write token per `NODES` reply this way.
public struct HMACSHA256Key: Sendable {
    private let prepared: crypto_auth_hmacsha256_state

    /// Prepares `key` (any length; the DHT uses 32-byte keys).
    public init(_ key: some ContiguousBytes) {
        Sodium.ensureInitialized()
        var state = crypto_auth_hmacsha256_state()
        key.withUnsafeBytes { keyBuffer in
            withNonNullBase(keyBuffer) { _ = crypto_auth_hmacsha256_init(&state, $0, keyBuffer.count) }
        }
        self.prepared = state
    }

    /// The 32-byte tag of `message`; equal to `HMACSHA256.authenticationCode(for: message, key: key)`.
    public func authenticationCode(for message: UnsafeRawBufferPointer) -> [UInt8] {
        var state = prepared
        withNonNullBase(message) { _ = crypto_auth_hmacsha256_update(&state, $0, UInt64(message.count)) }
        return [UInt8](unsafeUninitializedCapacity: HMACSHA256.tagByteCount) { tag, initialized in
            _ = crypto_auth_hmacsha256_final(&state, tag.baseAddress!)
            initialized = HMACSHA256.tagByteCount
        }
    }

    /// The 32-byte tag of `message`.
    public func authenticationCode(for message: some ContiguousBytes) -> [UInt8] {
        message.withUnsafeBytes { authenticationCode(for: $0) }
    }
}
