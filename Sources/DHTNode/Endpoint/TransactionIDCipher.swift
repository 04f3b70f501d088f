import DHTCrypto
import Kademlia

/// A keyed permutation of 64-bit transaction IDs (a 4-round Feistel network over SipHash-2-4).
///
/// The Kademlia core draws transaction IDs from its seeded, reproducible generator, which an observer could
/// predict. The endpoint puts ``encrypt(_:)`` of each ID on the wire and maps answers back with ``decrypt(_:)``,
/// so wire IDs are unpredictable without the key while the core stays deterministic. Being a permutation, it never
/// maps two pending requests to one wire ID.
struct TransactionIDCipher: Sendable {
    private let roundFunction: SipHash

    init(key: [UInt8]) {
        self.roundFunction = SipHash(key: key)
    }

    /// The wire ID of a core ID.
    func encrypt(_ id: TransactionID) -> TransactionID {
        var left = UInt32(truncatingIfNeeded: id.rawValue >> 32)
        var right = UInt32(truncatingIfNeeded: id.rawValue)
        for round in 0..<4 {
            (left, right) = (right, left ^ f(round, right))
        }
        return TransactionID(rawValue: UInt64(left) << 32 | UInt64(right))
    }

    /// The core ID of a wire ID.
    func decrypt(_ id: TransactionID) -> TransactionID {
        var left = UInt32(truncatingIfNeeded: id.rawValue >> 32)
        var right = UInt32(truncatingIfNeeded: id.rawValue)
        for round in (0..<4).reversed() {
            (left, right) = (right ^ f(round, left), left)
        }
        return TransactionID(rawValue: UInt64(left) << 32 | UInt64(right))
    }

    private func f(_ round: Int, _ half: UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: roundFunction.hash(UInt64(round) << 32 | UInt64(half)))
    }
}
