import COpenSSL
import CSodium
import Foundation
import Synchronization

/// A SHA-256 digest: 32 bytes.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// The digest bytes, always exactly ``byteCount`` long.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; returns `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lowercase hexadecimal text of the digest.
    public var description: String { Hex.encode(bytes) }

    /// Feeds the 32 bytes to `hasher` in one call (the synthesized conformance fed them one at a time, which
    /// showed in profiles of the exchange: its tables are keyed by CIDs, that is by digests).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// SHA-256: inputs of up to ``smallInputByteCount`` bytes through libsodium, larger ones and streams through
/// OpenSSL's EVP interface, which uses the SHA extensions of the CPU where present.
///
/// Why two: the UDP node hashes a 32-byte key for every datagram, which libsodium does without any setup, while
/// OpenSSL's first hash loads its default provider and maps about 2 MiB of libcrypto's code and tables into the
/// process (an idle daemon that never hashes a block never pays it: docs/BENCHMARKS.md, "Daemon: idle RSS").
/// Blocks (kilobytes to a megabyte) go to OpenSSL, several times faster there with SHA-NI.
///
/// Use ``hash(_:)`` for a buffer at hand and ``SHA256Hasher`` to hash a stream in pieces.
public enum SHA256 {
    /// The largest input hashed by libsodium rather than OpenSSL.
    public static let smallInputByteCount = 64

    /// Hashes `bytes` in one call.
    public static func hash(_ bytes: some ContiguousBytes) -> SHA256Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Hashes the bytes of a raw buffer in one call.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> SHA256Digest {
        if buffer.count <= smallInputByteCount {
            Sodium.ensureInitialized()
            let digest = [UInt8](unsafeUninitializedCapacity: SHA256Digest.byteCount) { out, initialized in
                withNonNullBase(buffer) { input in
                    _ = crypto_hash_sha256(out.baseAddress!, input, UInt64(buffer.count))
                }
                initialized = SHA256Digest.byteCount
            }
            return SHA256Digest(unchecked: digest)
        }
        var hasher = SHA256Hasher()
        hasher.update(buffer)
        return hasher.finalize()
    }

    /// Loads OpenSSL's SHA-256 now, on a thread of its own, if nothing has yet: a node about to fetch calls it so
    /// that the first hash of a handshake transcript or block does not pay the setup (about 2.5 ms here: reading
    /// openssl.cnf, loading the default provider) on the fetch's critical path. Returns at once.
    public static func prepareInBackground() {
        guard !openSSLRequested.exchange(true, ordering: .relaxed) else { return }
        Thread.detachNewThread { _ = fetchedSHA256 }
    }
}

private let openSSLRequested = Atomic<Bool>(false)

/// SHA-256 fetched once from OpenSSL's default provider. With the implicit `EVP_sha256()`, OpenSSL 3 looks the
/// algorithm up again in every `EVP_DigestInit_ex`: measured here, hashing a 32-byte key took 1.7 µs that way and
/// 0.44 µs with the algorithm fetched once (the UDP node hashes the sender key of every datagram). A fetched
/// `EVP_MD` is immutable and safe to share between threads; it lives as long as the process.
private nonisolated(unsafe) let fetchedSHA256: OpaquePointer = {
    guard let algorithm = EVP_MD_fetch(nil, "SHA2-256", nil) else {
        fatalError("EVP_MD_fetch(SHA2-256) failed: OpenSSL is unusable")
    }
    return algorithm
}()

/// Streaming SHA-256: feed bytes with ``update(_:)-(ContiguousBytes)``, then ``finalize()`` once.
///
/// The hasher owns an OpenSSL `EVP_MD_CTX`; it is non-copyable so that context is freed exactly once.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    /// Creates a hasher with an empty input.
    public init() {
        // EVP_MD_CTX_new only fails when the process is out of memory, as does any allocation.
        guard let context = EVP_MD_CTX_new() else {
            fatalError("EVP_MD_CTX_new failed: out of memory")
        }
        guard EVP_DigestInit_ex(context, fetchedSHA256, nil) == 1 else {
            fatalError("EVP_DigestInit_ex(SHA-256) failed: OpenSSL is unusable")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Appends `bytes` to the input.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Appends the bytes of a raw buffer to the input.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        EVP_DigestUpdate(context, base, buffer.count)
    }

    /// Returns the digest of everything appended; the hasher is consumed.
    public consuming func finalize() -> SHA256Digest {
        var out = [UInt8](repeating: 0, count: SHA256Digest.byteCount)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { buffer in
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        return SHA256Digest(unchecked: out)
    }
}
