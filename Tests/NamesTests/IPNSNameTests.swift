import Blocks
import DHTCrypto
import Testing

@testable import Names

/// Names: binary forms, text forms, routing keys, and what is refused.
@Suite struct IPNSNameTests {
    static let key = try! Ed25519PublicKey(
        bytes: Hex.decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    )

    @Test func binaryForms() throws {
        let name = IPNSName(publicKey: Self.key)
        #expect(name.multihash == [0x00, 0x24, 0x08, 0x01, 0x12, 0x20] + Self.key.bytes)
        #expect(name.cidBytes == [0x01, 0x72] + name.multihash)
        #expect(name.routingKey == Array("/ipns/".utf8) + name.multihash)
        #expect(try IPNSName(routingKey: name.routingKey) == name)
        #expect(try IPNSName(cidBytes: name.cidBytes) == name)
        #expect(try IPNSName(multihash: name.multihash) == name)
    }

    @Test func textFormsRoundTrip() throws {
        for _ in 0..<50 {
            let name = IPNSName(publicKey: NodeIdentity.generate().publicKey)
            #expect(name.base36.hasPrefix("k51qzi5uqu5d"))
            #expect(name.base36.count == 62)
            #expect(name.base32.hasPrefix("bafzaajaiaejc"))
            #expect(name.peerID.hasPrefix("12D3KooW"))
            #expect(name.description == name.base36)
            for text in [
                name.base36, name.base36.uppercased(), name.base32, name.base32.uppercased(), name.peerID,
                "z" + Base58BTC.encode(name.cidBytes), "/ipns/" + name.base36,
            ] {
                #expect(try IPNSName(parsing: text) == name, "\(text)")
            }
        }
    }

    @Test func base36RoundTripsAnyBytes() throws {
        let samples: [[UInt8]] = [[], [0], [0, 0, 1], [1], [255], [0, 255, 255], Array(0...200)]
        for bytes in samples {
            #expect(try Base36.decode(Base36.encode(bytes)) == bytes)
        }
        #expect(Base36.encode([0, 0, 35]) == "00z")
        #expect(Base36.encode([1, 0]) == "74")
        #expect(try Base36.decode("ZZ") == Base36.decode("zz"))
        #expect(throws: MultibaseError.invalidCharacter(UInt8(ascii: "-"), offset: 2)) { try Base36.decode("ab-") }
    }

    @Test(arguments: [
        ("", "empty"),
        ("k", "empty CID"),
        ("k51qzi5uqu5d!", "bad character"),
        ("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", "an RSA peer ID"),
        ("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "a dag-pb CID"),
        ("f0172002408011220", "base16"),
        ("k2k4r8jl0yz8qjgqbmc2cdu5hkqek5rj6flgnlkyywynci20j0iuyfuj", "an RSA name (sha2-256)"),
    ])
    func refusedText(text: String, label: String) {
        #expect(throws: IPNSNameError.self, "\(label)") { try IPNSName(parsing: text) }
    }

    @Test func refusedBinary() {
        let good = IPNSName(publicKey: Self.key)
        #expect(throws: IPNSNameError.unsupportedVersion(0)) {
            try IPNSName(cidBytes: [0x00] + good.cidBytes.dropFirst())
        }
        #expect(throws: IPNSNameError.wrongCodec(0x70)) { try IPNSName(cidBytes: [0x01, 0x70] + good.multihash) }
        #expect(throws: IPNSNameError.keyNotInlined(hashFunction: 0x12)) {
            try IPNSName(multihash: [0x12, 0x20] + [UInt8](repeating: 0, count: 32))
        }
        #expect(throws: IPNSNameError.self) { try IPNSName(multihash: Array(good.multihash.dropLast())) }
        #expect(throws: IPNSNameError.self) { try IPNSName(multihash: good.multihash + [0]) }
        var secp = good.multihash
        secp[3] = 0x02  // KeyType Secp256k1
        #expect(throws: IPNSNameError.unsupportedKeyType(2)) { try IPNSName(multihash: secp) }
        #expect(throws: IPNSNameError.notARoutingKey) { try IPNSName(routingKey: Array("/pk/".utf8) + good.multihash) }
        // The key's protobuf must be in its one deterministic form (fields in order, no extras).
        let reordered: [UInt8] = [0x00, 0x24, 0x12, 0x20] + Self.key.bytes + [0x08, 0x01]
        #expect(throws: IPNSNameError.self) { try IPNSName(multihash: reordered) }
    }
}
