import Testing
@testable import DHTCrypto

@Suite struct X25519Tests {
    /// RFC 7748, section 6.1.
    @Test func rfc7748DiffieHellmanVector() throws {
        let alice = try X25519PrivateKey(bytes: Hex.decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        let bob = try X25519PrivateKey(bytes: Hex.decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
        #expect(alice.publicKey.description == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(bob.publicKey.description == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(Hex.encode(try alice.sharedSecret(with: bob.publicKey)) == shared)
        #expect(Hex.encode(try bob.sharedSecret(with: alice.publicKey)) == shared)
    }

    @Test func generatedKeysAgree() throws {
        let a = X25519PrivateKey.generate()
        let b = X25519PrivateKey.generate()
        #expect(a.publicKey != b.publicKey)
        #expect(try a.sharedSecret(with: b.publicKey) == b.sharedSecret(with: a.publicKey))
    }

    /// Points of small order give an all-zero secret, which MUST be refused.
    @Test(arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ])
    func smallOrderKeysAreRefused(hex: String) throws {
        let key = try X25519PublicKey(bytes: Hex.decode(hex))
        #expect(throws: X25519Error.weakPublicKey) { try X25519PrivateKey.generate().sharedSecret(with: key) }
    }

    @Test func wrongLengthsAreRefused() {
        #expect(throws: X25519Error.wrongKeyLength(31)) { try X25519PublicKey(bytes: [UInt8](repeating: 9, count: 31)) }
        #expect(throws: X25519Error.wrongKeyLength(33)) { try X25519PrivateKey(bytes: [UInt8](repeating: 9, count: 33)) }
    }

    @Test func descriptionHidesTheSecret() throws {
        let key = try X25519PrivateKey(bytes: [UInt8](repeating: 0xab, count: 32))
        #expect(!"\(key)".contains("abab"))
    }
}
