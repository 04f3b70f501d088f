import COpenSSL

/// Opens AEAD messages whose ciphertext arrives in pieces, writing each piece's plaintext as it comes: the same
/// algorithms and bytes as ``AEADKey/open(_:nonce:associatedData:into:)``, through OpenSSL's EVP interface.
///
/// For a receiver that wants every byte to move once: it decrypts straight from the socket's read buffers into
/// the message's final place, instead of first gathering the ciphertext. What ``update(_:into:)`` writes is NOT
/// authenticated until ``finish(tag:)`` returns `true`; the caller must not use or pass on any of it before, and
/// must discard it when `finish` fails. One OpenSSL context serves every message. A reference type (it owns that
/// context), not thread-safe: one connection's reader uses it.
public final class AEADIncrementalOpener {
    /// The cipher of the key.
    public let cipher: AEADCipher
    private let key: [UInt8]
    private let context: OpaquePointer
    /// Whether a message was begun and not yet finished.
    public private(set) var isOpening = false

    /// An opener for messages sealed with `key`.
    public init(key: AEADKey) {
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new failed: out of memory") }
        self.cipher = key.cipher
        self.key = key.keyBytes
        self.context = context
    }

    deinit {
        EVP_CIPHER_CTX_free(context)
    }

    /// Starts a message with its nonce and associated data (a message begun earlier and not finished is dropped).
    public func begin(nonce: AEADNonce, associatedData: UnsafeRawBufferPointer) {
        let started = nonce.withUnsafeBytes { nonceBytes in
            key.withUnsafeBufferPointer { keyBytes in
                var written: Int32 = 0
                return EVP_DecryptInit_ex2(context, OpenSSLAEAD.algorithm(cipher), keyBytes.baseAddress!, nonceBytes, nil)
                    == 1
                    && (associatedData.isEmpty
                        || EVP_DecryptUpdate(
                            context, nil, &written, associatedData.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            Int32(associatedData.count)) == 1)
            }
        }
        precondition(started, "EVP_DecryptInit_ex2 failed")
        isOpening = true
    }

    /// Decrypts the next `ciphertext.count` bytes of the message into the start of `output` (which may be the
    /// same memory: in place). Pieces may have any length, including ones that split a cipher block.
    ///
    /// - Precondition: a message was begun; `output` holds at least `ciphertext.count` bytes.
    public func update(_ ciphertext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(isOpening, "update before begin")
        precondition(output.count >= ciphertext.count, "the output buffer is too small")
        guard !ciphertext.isEmpty else { return }
        var written: Int32 = 0
        let updated = EVP_DecryptUpdate(
            context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
            ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(ciphertext.count))
        // GCM and ChaCha20-Poly1305 are stream modes: OpenSSL writes every byte it is given, at once.
        precondition(updated == 1 && Int(written) == ciphertext.count, "EVP_DecryptUpdate failed")
    }

    /// Ends the message: whether `tag` (16 bytes) authenticates everything passed to ``update(_:into:)`` and the
    /// associated data. Only then is the plaintext written so far usable.
    public func finish(tag: UnsafeRawBufferPointer) -> Bool {
        precondition(isOpening, "finish before begin")
        isOpening = false
        guard tag.count == AEADCipher.tagByteCount else { return false }
        var tagCopy: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &tagCopy) { $0.copyMemory(from: tag) }
        var written: Int32 = 0
        var scratch: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &tagCopy) { tagBytes in
            withUnsafeMutableBytes(of: &scratch) { output in
                EVP_CIPHER_CTX_ctrl(
                    context, EVP_CTRL_AEAD_SET_TAG, Int32(AEADCipher.tagByteCount), tagBytes.baseAddress) == 1
                    && EVP_DecryptFinal_ex(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &written)
                        == 1
                    && written == 0
            }
        }
    }
}
