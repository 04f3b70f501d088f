import COpenSSL
import CSodium

/// A 32-byte key for one ``AEADCipher``: seals plaintext into ciphertext plus a 16-byte tag, and opens it again
/// only when the tag verifies.
///
/// The buffer-based ``seal(_:nonce:associatedData:into:)`` and ``open(_:nonce:associatedData:into:)`` write into
/// memory the caller owns (they may be the same buffer as the input: both libraries encrypt in place), so a frame
/// codec moves each byte once. The array-based forms are for handshakes and tests. Messages of at least
/// ``bulkByteCount`` bytes go through OpenSSL, smaller ones through libsodium: same bytes, different speed.
public struct AEADKey: Sendable {
    /// The cipher this key is for.
    public let cipher: AEADCipher
    private let key: [UInt8]

    /// The 32 key bytes, for the other AEAD types of this module.
    var keyBytes: [UInt8] { key }

    /// A key for `cipher` made of 32 bytes.
    ///
    /// - Throws: ``AEADError/wrongKeyLength(_:)`` unless `bytes` is 32 bytes,
    ///   ``AEADError/cipherUnavailable(_:)`` when the CPU cannot run `cipher`.
    public init(cipher: AEADCipher, bytes: some ContiguousBytes) throws(AEADError) {
        Sodium.ensureInitialized()
        let copy = bytes.withUnsafeBytes { [UInt8]($0) }
        guard copy.count == AEADCipher.keyByteCount else { throw .wrongKeyLength(copy.count) }
        guard cipher.isAvailable else { throw .cipherUnavailable(cipher) }
        self.cipher = cipher
        self.key = copy
    }

    /// The smallest message sealed and opened through OpenSSL rather than libsodium (see ``OpenSSLAEAD``): the
    /// output is the same either way; OpenSSL is twice as fast on bulk data, libsodium cheaper per call.
    public static let bulkByteCount = 4096

    /// Which library does the work (tests compare the two; everything else lets the size decide).
    enum Implementation: CaseIterable {
        case sodium
        case openSSL

        static func forMessage(byteCount: Int) -> Implementation {
            byteCount >= AEADKey.bulkByteCount && byteCount < Int(Int32.max) - 64 ? .openSSL : .sodium
        }
    }

    /// Encrypts `plaintext` and writes the ciphertext followed by the 16-byte tag to the start of `output`;
    /// returns the count written (`plaintext.count + 16`).
    ///
    /// `output` may start at the same address as `plaintext` (in-place encryption).
    ///
    /// - Precondition: `output` holds at least `plaintext.count + 16` bytes.
    @discardableResult
    public func seal(
        _ plaintext: UnsafeRawBufferPointer,
        nonce: AEADNonce,
        associatedData: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Int {
        seal(plaintext, nonce: nonce, associatedData: associatedData, into: output,
             using: .forMessage(byteCount: plaintext.count))
    }

    func seal(
        _ plaintext: UnsafeRawBufferPointer,
        nonce: AEADNonce,
        associatedData: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        using implementation: Implementation
    ) -> Int {
        let sealedCount = plaintext.count + AEADCipher.tagByteCount
        precondition(output.count >= sealedCount, "the output buffer is too small for the sealed bytes")
        let sealed = withNonNullBase(plaintext) { message in
            withNonNullBase(associatedData) { data in
                nonce.withUnsafeBytes { nonceBytes in
                    key.withUnsafeBufferPointer { keyBytes in
                        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        var written: UInt64 = 0
                        // libsodium fails only for messages over 2^38 bytes (GCM) or 2^64 (ChaCha20), OpenSSL
                        // only when out of memory.
                        switch (implementation, cipher) {
                        case (.openSSL, _):
                            return OpenSSLAEAD.seal(
                                cipher: cipher, key: keyBytes.baseAddress!, nonce: nonceBytes, message: message,
                                count: plaintext.count, associatedData: data,
                                associatedDataCount: associatedData.count, output: out)
                        case (.sodium, .chaCha20Poly1305):
                            _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                                out, &written, message, UInt64(plaintext.count), data,
                                UInt64(associatedData.count), nil, nonceBytes, keyBytes.baseAddress!
                            )
                        case (.sodium, .aes256GCM):
                            _ = crypto_aead_aes256gcm_encrypt(
                                out, &written, message, UInt64(plaintext.count), data,
                                UInt64(associatedData.count), nil, nonceBytes, keyBytes.baseAddress!
                            )
                        }
                        return Int(written) == sealedCount
                    }
                }
            }
        }
        precondition(sealed, "AEAD encryption failed")
        return sealedCount
    }

    /// Seals one message made of two pieces, `head` then `payload`, without joining them first: writes the
    /// ciphertext of both and the 16-byte tag to the start of `output`; returns the count written
    /// (`head.count + payload.count + 16`). The bytes are those of ``seal(_:nonce:associatedData:into:)`` over the
    /// concatenation. Large messages go through OpenSSL piece by piece (so a sender encrypts a block straight from
    /// its array into the frame); small ones are joined in `output` and sealed there.
    ///
    /// - Precondition: `output` holds at least `head.count + payload.count + 16` bytes and overlaps neither piece.
    @discardableResult
    public func seal(
        _ head: UnsafeRawBufferPointer,
        _ payload: UnsafeRawBufferPointer,
        nonce: AEADNonce,
        associatedData: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Int {
        seal(head, payload, nonce: nonce, associatedData: associatedData, into: output,
             using: .forMessage(byteCount: head.count + payload.count))
    }

    func seal(
        _ head: UnsafeRawBufferPointer,
        _ payload: UnsafeRawBufferPointer,
        nonce: AEADNonce,
        associatedData: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        using implementation: Implementation
    ) -> Int {
        let count = head.count + payload.count
        let sealedCount = count + AEADCipher.tagByteCount
        precondition(output.count >= sealedCount, "the output buffer is too small for the sealed bytes")
        guard implementation == .openSSL, !payload.isEmpty else {
            // Join the pieces where the ciphertext goes, and seal in place.
            UnsafeMutableRawBufferPointer(rebasing: output[0..<head.count]).copyMemory(from: head)
            UnsafeMutableRawBufferPointer(rebasing: output[head.count..<count]).copyMemory(from: payload)
            return seal(UnsafeRawBufferPointer(rebasing: output[0..<count]), nonce: nonce,
                        associatedData: associatedData, into: output, using: implementation)
        }
        let sealed = withNonNullBase(head) { headBytes in
            withNonNullBase(associatedData) { data in
                nonce.withUnsafeBytes { nonceBytes in
                    key.withUnsafeBufferPointer { keyBytes in
                        OpenSSLAEAD.seal(
                            cipher: cipher, key: keyBytes.baseAddress!, nonce: nonceBytes, message: headBytes,
                            count: head.count, tail: payload.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            tailCount: payload.count, associatedData: data, associatedDataCount: associatedData.count,
                            output: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
        precondition(sealed, "AEAD encryption failed")
        return sealedCount
    }

    /// Verifies the tag at the end of `ciphertext` and writes the plaintext to the start of `output`; returns the
    /// count written (`ciphertext.count - 16`). On failure nothing usable is left in `output`.
    ///
    /// `output` may start at the same address as `ciphertext` (in-place decryption).
    ///
    /// - Precondition: `output` holds at least `ciphertext.count - 16` bytes.
    /// - Throws: ``AEADError/ciphertextTooShort(_:)``, ``AEADError/authenticationFailed``.
    @discardableResult
    public func open(
        _ ciphertext: UnsafeRawBufferPointer,
        nonce: AEADNonce,
        associatedData: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(AEADError) -> Int {
        try open(ciphertext, nonce: nonce, associatedData: associatedData, into: output,
                 using: .forMessage(byteCount: max(0, ciphertext.count - AEADCipher.tagByteCount)))
    }

    func open(
        _ ciphertext: UnsafeRawBufferPointer,
        nonce: AEADNonce,
        associatedData: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        using implementation: Implementation
    ) throws(AEADError) -> Int {
        guard ciphertext.count >= AEADCipher.tagByteCount else { throw .ciphertextTooShort(ciphertext.count) }
        let openedCount = ciphertext.count - AEADCipher.tagByteCount
        precondition(output.count >= openedCount, "the output buffer is too small for the plaintext")
        let verified = withNonNullBase(ciphertext) { sealed in
            withNonNullBase(associatedData) { data in
                nonce.withUnsafeBytes { nonceBytes in
                    withNonNullMutableBase(output) { out in
                        key.withUnsafeBufferPointer { keyBytes in
                            var written: UInt64 = 0
                            switch (implementation, cipher) {
                            case (.openSSL, _):
                                return OpenSSLAEAD.open(
                                    cipher: cipher, key: keyBytes.baseAddress!, nonce: nonceBytes, sealed: sealed,
                                    count: openedCount, associatedData: data,
                                    associatedDataCount: associatedData.count, output: out)
                            case (.sodium, .chaCha20Poly1305):
                                return crypto_aead_chacha20poly1305_ietf_decrypt(
                                    out, &written, nil, sealed, UInt64(ciphertext.count), data,
                                    UInt64(associatedData.count), nonceBytes, keyBytes.baseAddress!
                                ) == 0
                            case (.sodium, .aes256GCM):
                                return crypto_aead_aes256gcm_decrypt(
                                    out, &written, nil, sealed, UInt64(ciphertext.count), data,
                                    UInt64(associatedData.count), nonceBytes, keyBytes.baseAddress!
                                ) == 0
                            }
                        }
                    }
                }
            }
        }
        guard verified else { throw .authenticationFailed }
        return openedCount
    }

    /// Seals `plaintext` into a new array: ciphertext followed by the 16-byte tag.
    public func seal(
        _ plaintext: some ContiguousBytes,
        nonce: AEADNonce,
        associatedData: some ContiguousBytes = [UInt8]()
    ) -> [UInt8] {
        plaintext.withUnsafeBytes { message in
            associatedData.withUnsafeBytes { data in
                [UInt8](unsafeUninitializedCapacity: message.count + AEADCipher.tagByteCount) { buffer, count in
                    count = seal(message, nonce: nonce, associatedData: data, into: UnsafeMutableRawBufferPointer(buffer))
                }
            }
        }
    }

    /// Opens `ciphertext` (ciphertext followed by the tag) into a new array.
    ///
    /// - Throws: ``AEADError/ciphertextTooShort(_:)``, ``AEADError/authenticationFailed``.
    public func open(
        _ ciphertext: some ContiguousBytes,
        nonce: AEADNonce,
        associatedData: some ContiguousBytes = [UInt8]()
    ) throws(AEADError) -> [UInt8] {
        let result: Result<[UInt8], AEADError> = ciphertext.withUnsafeBytes { sealed in
            associatedData.withUnsafeBytes { data in
                guard sealed.count >= AEADCipher.tagByteCount else {
                    return .failure(.ciphertextTooShort(sealed.count))
                }
                var failure: AEADError?
                let plaintext = [UInt8](unsafeUninitializedCapacity: sealed.count - AEADCipher.tagByteCount) {
                    buffer, count in
                    do throws(AEADError) {
                        count = try open(sealed, nonce: nonce, associatedData: data, into: UnsafeMutableRawBufferPointer(buffer))
                    } catch {
                        failure = error
                        count = 0
                    }
                }
                if let failure { return .failure(failure) }
                return .success(plaintext)
            }
        }
        return try result.get()
    }
}

/// Calls `body` with the start of `buffer`, or with a one-byte dummy when `buffer` is empty and has no address.
private func withNonNullMutableBase<R>(
    _ buffer: UnsafeMutableRawBufferPointer,
    _ body: (UnsafeMutablePointer<UInt8>) throws -> R
) rethrows -> R {
    if let base = buffer.baseAddress {
        return try body(base.assumingMemoryBound(to: UInt8.self))
    }
    var dummy: UInt8 = 0
    return try withUnsafeMutablePointer(to: &dummy) { try body($0) }
}
