import CSodium

/// libsodium's process-wide setup, run once before the first call that needs it.
enum Sodium {
    /// Runs `sodium_init()` the first time it is read; Swift initialises a global or static `let` exactly once,
    /// thread-safely.
    private static let initialized: Void = {
        // 0: initialised now; 1: already initialised (by another library); -1: failure.
        guard sodium_init() >= 0 else {
            fatalError("sodium_init failed: libsodium is unusable (no random source?)")
        }
    }()

    /// Makes sure libsodium is initialised; cheap after the first call.
    static func ensureInitialized() {
        _ = initialized
    }
}

/// Calls `body` with the start of `buffer` as bytes, or with a pointer to a one-byte dummy when `buffer` is empty
/// and has no address, so C functions never receive NULL for a zero-length input.
func withNonNullBase<R>(_ buffer: UnsafeRawBufferPointer, _ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
    if let base = buffer.baseAddress {
        return try body(base.assumingMemoryBound(to: UInt8.self))
    }
    var dummy: UInt8 = 0
    return try withUnsafePointer(to: &dummy) { try body($0) }
}
