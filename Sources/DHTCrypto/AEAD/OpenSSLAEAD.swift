import COpenSSL

/// AES-256-GCM and ChaCha20-Poly1305 through OpenSSL's EVP interface, for large messages.
///
/// The same algorithms as libsodium's (same key, nonce, associated data and output, byte for byte), but faster on
/// bulk data: OpenSSL 3.0 (Debian 12) runs GCM as one stitched AES-NI and carry-less-multiply loop over six
/// blocks at a time (`perf` of a transfer shows it; the machine has VAES, which that release does not use).
/// Measured on the 2-core test machine (`openssl speed -evp aes-256-gcm -bytes 262144`, and libsodium in `perf`
/// of a 256 MiB transfer): 2.3–2.5 GB/s against libsodium's 1.2 GB/s. ``AEADKey`` sends messages of at least ``AEADKey/bulkByteCount`` here and
/// smaller ones (handshakes, wants) to libsodium, which needs no setup per call.
enum OpenSSLAEAD {
    /// Seals `count` bytes at `message`, followed by `tailCount` bytes at `tail`, into `output` (ciphertext of
    /// both, then the 16-byte tag): one message made of two pieces that are never joined in memory. `output` may
    /// equal `message` when there is no tail (OpenSSL allows exact overlap). Returns false only if OpenSSL fails
    /// (out of memory).
    static func seal(
        cipher: AEADCipher,
        key: UnsafePointer<UInt8>,
        nonce: UnsafePointer<UInt8>,
        message: UnsafePointer<UInt8>,
        count: Int,
        tail: UnsafePointer<UInt8>? = nil,
        tailCount: Int = 0,
        associatedData: UnsafePointer<UInt8>,
        associatedDataCount: Int,
        output: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        guard let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        var written: Int32 = 0
        var tailWritten: Int32 = 0
        var finalWritten: Int32 = 0
        let total = count + tailCount
        guard EVP_EncryptInit_ex2(context, algorithm(cipher), key, nonce, nil) == 1,
              associatedDataCount == 0
                || EVP_EncryptUpdate(context, nil, &written, associatedData, Int32(associatedDataCount)) == 1,
              EVP_EncryptUpdate(context, output, &written, message, Int32(count)) == 1,
              tailCount == 0
                || EVP_EncryptUpdate(context, output + Int(written), &tailWritten, tail, Int32(tailCount)) == 1,
              EVP_EncryptFinal_ex(context, output + Int(written) + Int(tailWritten), &finalWritten) == 1,
              Int(written) + Int(tailWritten) + Int(finalWritten) == total,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(AEADCipher.tagByteCount), output + total) == 1
        else { return false }
        return true
    }

    /// Opens `count` bytes of ciphertext at `sealed` (the tag follows them) into `output`, which may equal
    /// `sealed`. Returns false when the tag does not verify; `output` is then zeroed, so nothing unverified
    /// is left in it (as libsodium does).
    static func open(
        cipher: AEADCipher,
        key: UnsafePointer<UInt8>,
        nonce: UnsafePointer<UInt8>,
        sealed: UnsafePointer<UInt8>,
        count: Int,
        associatedData: UnsafePointer<UInt8>,
        associatedDataCount: Int,
        output: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        guard let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        // The tag is copied out before any byte of `output` is written.
        var tag: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &tag) { $0.copyMemory(from: UnsafeRawBufferPointer(start: sealed + count, count: 16)) }
        var written: Int32 = 0
        var finalWritten: Int32 = 0
        let verified = withUnsafeMutableBytes(of: &tag) { tagBytes in
            EVP_DecryptInit_ex2(context, algorithm(cipher), key, nonce, nil) == 1
                && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(AEADCipher.tagByteCount),
                                       tagBytes.baseAddress) == 1
                && (associatedDataCount == 0
                    || EVP_DecryptUpdate(context, nil, &written, associatedData, Int32(associatedDataCount)) == 1)
                && EVP_DecryptUpdate(context, output, &written, sealed, Int32(count)) == 1
                && EVP_DecryptFinal_ex(context, output + Int(written), &finalWritten) == 1
                && Int(written) + Int(finalWritten) == count
        }
        if !verified { output.update(repeating: 0, count: count) }
        return verified
    }

    static func algorithm(_ cipher: AEADCipher) -> OpaquePointer {
        switch cipher {
        case .aes256GCM: fetchedAES256GCM
        case .chaCha20Poly1305: fetchedChaCha20Poly1305
        }
    }
}

/// The ciphers fetched once from OpenSSL's default provider (as `SHA256` does for its digest: the implicit
/// `EVP_aes_256_gcm()` is looked up again on every init). Immutable and safe to share between threads.
private nonisolated(unsafe) let fetchedAES256GCM: OpaquePointer = fetchCipher("AES-256-GCM")
private nonisolated(unsafe) let fetchedChaCha20Poly1305: OpaquePointer = fetchCipher("ChaCha20-Poly1305")

private func fetchCipher(_ name: String) -> OpaquePointer {
    guard let cipher = EVP_CIPHER_fetch(nil, name, nil) else {
        fatalError("EVP_CIPHER_fetch(\(name)) failed: OpenSSL is unusable")
    }
    return cipher
}
