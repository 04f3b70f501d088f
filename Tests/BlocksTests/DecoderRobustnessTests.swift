import Testing

@testable import Blocks

/// Decoders meet bytes from untrusted peers: mutated and random inputs must give an error or a value, never a
/// trap. (A libFuzzer target will run the same decoders for longer; this is the quick deterministic version.)
@Suite struct DecoderRobustnessTests {
    /// xorshift64*: deterministic, so a failure reproduces.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
    }

    static func seeds() throws -> [[UInt8]] {
        let leaf = CID.raw(Multihash(hashing: [1, 2, 3]))
        let node = PBNode(
            links: [PBLink(hash: leaf, name: "", tsize: 262_144), PBLink(hash: CID.v0(leaf.multihash), name: "x")],
            data: UnixFSData.fileNode(blocksizes: [262_144, 1]).encoded())
        let unixfs = UnixFSData(
            type: .file, data: [1, 2], filesize: 9, blocksizes: [3, 4], mode: 0o644,
            mtime: .init(seconds: 1, fractionalNanoseconds: 2))
        return [node.encoded(), unixfs.encoded(), leaf.bytes, CID.v0(leaf.multihash).bytes]
    }

    private func decodeEverything(_ bytes: [UInt8]) {
        _ = try? PBNode(decoding: bytes)
        _ = try? UnixFSData(decoding: bytes)
        _ = try? CID(decoding: bytes)
        _ = try? Multihash(decoding: bytes)
        _ = try? Varint.decode(bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? CID(parsing: text)
        _ = try? Multibase.decode(text)
    }

    @Test func mutatedEncodingsNeverTrap() throws {
        var random = Generator(state: 0x9E37_79B9_7F4A_7C15)
        for seed in try Self.seeds() {
            for _ in 0..<2_000 {
                var bytes = seed
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0 where !bytes.isEmpty:
                        let index = Int.random(in: 0..<bytes.count, using: &random)
                        bytes[index] ^= UInt8.random(in: 1...255, using: &random)
                    case 1 where !bytes.isEmpty:
                        bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
                    case 2:
                        let index = Int.random(in: 0...bytes.count, using: &random)
                        bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                    default:
                        bytes.append(contentsOf: [0xff, 0x80, 0x01].shuffled(using: &random))
                    }
                }
                decodeEverything(bytes)
            }
        }
    }

    @Test func randomBytesNeverTrap() {
        var random = Generator(state: 42)
        for _ in 0..<5_000 {
            let count = Int.random(in: 0..<80, using: &random)
            decodeEverything((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
    }

    @Test func decodedNodesReencodeToADecodableBlock() throws {
        // Whatever the strict decoder accepts, the encoder writes back in a form it accepts again, unchanged.
        var random = Generator(state: 7)
        for seed in try Self.seeds() {
            for _ in 0..<1_000 {
                var bytes = seed
                if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 }
                guard let node = try? PBNode(decoding: bytes) else { continue }
                #expect(try PBNode(decoding: node.encoded()) == node)
            }
        }
    }
}
