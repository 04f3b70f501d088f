/// MurmurHash3 x64 128-bit, seed 0: the hash of UnixFS HAMT-sharded directories (multicodec `murmur3-x64-64`,
/// `0x22`), which use the first 64-bit half, big-endian, as the bits that pick a shard at each level.
enum Murmur3 {
    /// The first half of the 128-bit hash of `bytes` as 8 big-endian bytes.
    static func x64_64(_ bytes: [UInt8]) -> [UInt8] {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1: UInt64 = 0
        var h2: UInt64 = 0
        func littleEndian(_ offset: Int, _ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in (0..<count).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
            return value
        }
        func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
        func fmix(_ k: UInt64) -> UInt64 {
            var k = k
            k ^= k >> 33
            k = k &* 0xff51_afd7_ed55_8ccd
            k ^= k >> 33
            k = k &* 0xc4ce_b9fe_1a85_ec53
            k ^= k >> 33
            return k
        }
        let blocks = bytes.count / 16
        for block in 0..<blocks {
            var k1 = littleEndian(block * 16, 8)
            var k2 = littleEndian(block * 16 + 8, 8)
            k1 = k1 &* c1; k1 = rotl(k1, 31); k1 = k1 &* c2; h1 ^= k1
            h1 = rotl(h1, 27); h1 = h1 &+ h2; h1 = h1 &* 5 &+ 0x52dc_e729
            k2 = k2 &* c2; k2 = rotl(k2, 33); k2 = k2 &* c1; h2 ^= k2
            h2 = rotl(h2, 31); h2 = h2 &+ h1; h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        let tail = blocks * 16
        let rest = bytes.count - tail
        if rest > 8 {
            var k2 = littleEndian(tail + 8, rest - 8)
            k2 = k2 &* c2; k2 = rotl(k2, 33); k2 = k2 &* c1; h2 ^= k2
        }
        if rest > 0 {
            var k1 = littleEndian(tail, min(rest, 8))
            k1 = k1 &* c1; k1 = rotl(k1, 31); k1 = k1 &* c2; h1 ^= k1
        }
        h1 ^= UInt64(bytes.count)
        h2 ^= UInt64(bytes.count)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = fmix(h1)
        h2 = fmix(h2)
        h1 = h1 &+ h2
        return (0..<8).map { UInt8(truncatingIfNeeded: h1 >> (56 - 8 * UInt64($0))) }
    }
}
