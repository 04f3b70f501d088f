import Testing
@testable import DHTCrypto

@Suite struct HKDFSHA256Tests {
    /// RFC 5869, appendix A.1.
    @Test func rfc5869TestCase1() throws {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let salt = try Hex.decode("000102030405060708090a0b0c")
        let info = try Hex.decode("f0f1f2f3f4f5f6f7f8f9")
        let prk = HKDFSHA256.extract(salt: salt, inputKeyMaterial: ikm)
        #expect(Hex.encode(prk) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        #expect(Hex.encode(HKDFSHA256.expand(pseudoRandomKey: prk, info: info, byteCount: 42))
            == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    /// RFC 5869, appendix A.3: empty salt and info.
    @Test func rfc5869TestCase3() {
        let okm = HKDFSHA256.deriveKey(
            inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22), salt: [UInt8](), info: [UInt8](), byteCount: 42)
        #expect(Hex.encode(HKDFSHA256.extract(salt: [UInt8](), inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22)))
            == "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
        #expect(Hex.encode(okm)
            == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    @Test func outputIsAPrefixOfLongerOutput() {
        let prk = [UInt8](repeating: 7, count: 32)
        let long = HKDFSHA256.expand(pseudoRandomKey: prk, info: [1, 2], byteCount: 100)
        #expect(HKDFSHA256.expand(pseudoRandomKey: prk, info: [1, 2], byteCount: 33) == Array(long.prefix(33)))
        #expect(HKDFSHA256.expand(pseudoRandomKey: prk, info: [1, 2], byteCount: 0).isEmpty)
    }
}
