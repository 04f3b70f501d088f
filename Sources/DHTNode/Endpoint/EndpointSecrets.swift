import DHTCrypto

/// The secrets of a ``DatagramEndpoint``: where its unpredictability comes from.
///
/// ``random()`` draws them from the system; tests pass fixed ones so that a run repeats exactly.
public struct EndpointSecrets: Sendable {
    /// Keys the write tokens (32 bytes).
    public var writeTokenSecret: [UInt8]
    /// Keys the transaction-ID permutation (16 bytes).
    public var transactionIDKey: [UInt8]
    /// Seeds the Kademlia core's generator (lookup targets, refresh IDs, core transaction IDs).
    public var coreSeed: UInt64

    /// Fixed secrets.
    public init(writeTokenSecret: [UInt8], transactionIDKey: [UInt8], coreSeed: UInt64) {
        precondition(writeTokenSecret.count == 32 && transactionIDKey.count == SipHash.keyByteCount)
        self.writeTokenSecret = writeTokenSecret
        self.transactionIDKey = transactionIDKey
        self.coreSeed = coreSeed
    }

    /// Secrets from the operating system's random source.
    public static func random() -> EndpointSecrets {
        EndpointSecrets(
            writeTokenSecret: SecureRandom.bytes(32),
            transactionIDKey: SecureRandom.bytes(SipHash.keyByteCount),
            coreSeed: SecureRandom.uint64()
        )
    }
}
