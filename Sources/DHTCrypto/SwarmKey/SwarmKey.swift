/// The 32-byte pre-shared key of a private swarm: only nodes that hold it can complete a channel handshake with
/// one another.
///
/// ``description`` never shows the key.
public struct SwarmKey: Sendable, Hashable, ContiguousBytes, CustomStringConvertible {
    /// The length of a swarm key in bytes.
    public static let byteCount = 32

    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes as a swarm key.
    ///
    /// - Throws: ``SwarmKeyError/wrongLength(_:)`` for any length other than 32.
    public init(bytes: some ContiguousBytes) throws(SwarmKeyError) {
        let copy = bytes.withUnsafeBytes { [UInt8]($0) }
        guard copy.count == Self.byteCount else { throw .wrongLength(copy.count) }
        self.bytes = copy
    }

    /// A fresh key from the operating system's random source.
    public static func generate() -> SwarmKey {
        try! SwarmKey(bytes: SecureRandom.bytes(byteCount))
    }

    /// Lends the 32 key bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// Compares in constant time.
    public static func == (lhs: SwarmKey, rhs: SwarmKey) -> Bool {
        ConstantTime.equals(lhs.bytes, rhs.bytes)
    }

    /// Hashes the key bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }

    /// `SwarmKey(…)`: the key itself is never shown.
    public var description: String { "SwarmKey(…)" }
}

extension SwarmKey: CustomReflectable {
    /// Shows nothing of the key to `dump` and the debugger.
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}
