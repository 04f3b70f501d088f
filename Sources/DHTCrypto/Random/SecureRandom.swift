import CSodium

/// Unpredictable bytes from the operating system's generator (libsodium's `randombytes_buf`).
///
/// For secrets (token keys, transaction-ID keys, seeds of the core's deterministic generator); the sans-I/O cores
/// take their randomness as a seed, so tests and the simulator stay reproducible.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        Sodium.ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return bytes
    }

    /// A random 64-bit number.
    public static func uint64() -> UInt64 {
        bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
