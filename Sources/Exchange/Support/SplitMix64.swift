/// SplitMix64: the core's seeded generator (tie-breaks between equally good peers). Not cryptographic; the core
/// draws nothing that must be unpredictable.
///
/// Kept here on purpose: the standard library and swift-collections offer no seedable generator, and Kademlia's
/// `SeededRandom` lives in a module Exchange must not depend on (the modules sit side by side, not one on the other).
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose whole output follows from `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
