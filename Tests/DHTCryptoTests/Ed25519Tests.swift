import Testing
@testable import DHTCrypto

/// RFC 8032, section 7.1, TEST 1: the empty message.
enum RFC8032Vector1 {
    static let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let publicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
}

@Suite struct Ed25519Tests {
    @Test func rfc8032Vector1() throws {
        let identity = try NodeIdentity(seed: Hex.decode(RFC8032Vector1.seed))
        #expect(identity.publicKey.hex == RFC8032Vector1.publicKey)
        let signature = identity.sign([UInt8]())
        #expect(Hex.encode(signature) == RFC8032Vector1.signature)

        let publicKey = try Ed25519PublicKey(bytes: Hex.decode(RFC8032Vector1.publicKey))
        #expect(publicKey == identity.publicKey)
        #expect(publicKey.isValidSignature(try Hex.decode(RFC8032Vector1.signature), for: [UInt8]()))
    }

    @Test func signAndVerifyRoundTrip() {
        let identity = NodeIdentity.generate()
        let message = Array("store block bafy… at node 42".utf8)
        let signature = identity.sign(message)
        #expect(signature.count == 64)
        #expect(identity.sign(message) == signature, "Ed25519 signatures are deterministic")
        #expect(identity.publicKey.isValidSignature(signature, for: message))
    }

    @Test(arguments: [0, 7, 255, 511])
    func flippedSignatureBitFails(bit: Int) {
        let identity = NodeIdentity.generate()
        let message = Array("hello".utf8)
        var signature = identity.sign(message)
        signature[bit / 8] ^= 1 << UInt8(bit % 8)
        #expect(!identity.publicKey.isValidSignature(signature, for: message))
    }

    @Test func flippedMessageBitFails() {
        let identity = NodeIdentity.generate()
        var message = Array("hello".utf8)
        let signature = identity.sign(message)
        message[2] ^= 0x10
        #expect(!identity.publicKey.isValidSignature(signature, for: message))
    }

    @Test func anotherKeyFails() {
        let signer = NodeIdentity.generate()
        let other = NodeIdentity.generate()
        #expect(signer.publicKey != other.publicKey)
        let signature = signer.sign([1, 2, 3])
        #expect(!other.publicKey.isValidSignature(signature, for: [1, 2, 3]))
    }

    @Test(arguments: [0, 63, 65])
    func wrongLengthSignatureFails(length: Int) {
        let identity = NodeIdentity.generate()
        var signature = identity.sign([9])
        signature = Array((signature + signature).prefix(length))
        #expect(!identity.publicKey.isValidSignature(signature, for: [9]))
    }

    @Test func publicKeyRejectsWrongLength() {
        #expect(throws: Ed25519KeyError.wrongPublicKeyLength(31)) {
            try Ed25519PublicKey(bytes: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: Ed25519KeyError.wrongPublicKeyLength(0)) { try Ed25519PublicKey(bytes: [UInt8]()) }
    }

    @Test func seedRejectsWrongLength() {
        #expect(throws: Ed25519KeyError.wrongSeedLength(33)) {
            try NodeIdentity(seed: [UInt8](repeating: 1, count: 33))
        }
        #expect(throws: Ed25519KeyError.wrongSeedLength(0)) { try NodeIdentity(seed: [UInt8]()) }
    }

    @Test func descriptionsNeverShowTheSeed() throws {
        let identity = try NodeIdentity(seed: Hex.decode(RFC8032Vector1.seed))
        var dumped = ""
        dump(identity, to: &dumped)
        for text in [String(describing: identity), String(reflecting: identity), "\(identity)", dumped] {
            #expect(!text.contains("9d61b19d"), "\(text)")
            #expect(!text.contains("157, 97"), "no seed bytes in decimal either: \(text)")
            #expect(text.contains(RFC8032Vector1.publicKey))
        }
    }
}
