import Testing
@testable import DHTCrypto

@Suite struct AEADTests {
    /// RFC 8439, section 2.8.2.
    @Test func rfc8439ChaCha20Poly1305Vector() throws {
        let key = try AEADKey(
            cipher: .chaCha20Poly1305,
            bytes: Hex.decode("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        )
        let nonce = try AEADNonce(bytes: Hex.decode("070000004041424344454647"))
        let plaintext = Array(("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
            + "the future, sunscreen would be it.").utf8)
        let ad = try Hex.decode("50515253c0c1c2c3c4c5c6c7")
        let sealed = key.seal(plaintext, nonce: nonce, associatedData: ad)
        #expect(Hex.encode(sealed)
            == "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
            + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691")
        #expect(try key.open(sealed, nonce: nonce, associatedData: ad) == plaintext)
    }

    /// The GCM specification's test case 16 (McGrew and Viega): AES-256 with associated data.
    @Test(.enabled(if: AEADCipher.aes256GCM.isAvailable)) func aes256GCMTestCase16() throws {
        let key = try AEADKey(
            cipher: .aes256GCM,
            bytes: Hex.decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        )
        let nonce = try AEADNonce(bytes: Hex.decode("cafebabefacedbaddecaf888"))
        let plaintext = try Hex.decode(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
                + "b16aedf5aa0de657ba637b39")
        let ad = try Hex.decode("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let sealed = key.seal(plaintext, nonce: nonce, associatedData: ad)
        #expect(Hex.encode(sealed)
            == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
            + "c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try key.open(sealed, nonce: nonce, associatedData: ad) == plaintext)
    }

    @Test(arguments: AEADCipher.available)
    func tamperingFailsAndNothingIsReleased(cipher: AEADCipher) throws {
        let key = try AEADKey(cipher: cipher, bytes: [UInt8](repeating: 1, count: 32))
        let sealed = key.seal([UInt8](repeating: 5, count: 100), nonce: AEADNonce(counter: 3), associatedData: [9])
        for index in [0, 50, 99, 100, 115] {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: AEADError.authenticationFailed) {
                try key.open(altered, nonce: AEADNonce(counter: 3), associatedData: [9])
            }
        }
        #expect(throws: AEADError.authenticationFailed) {
            try key.open(sealed, nonce: AEADNonce(counter: 4), associatedData: [9])
        }
        #expect(throws: AEADError.authenticationFailed) {
            try key.open(sealed, nonce: AEADNonce(counter: 3), associatedData: [8])
        }
        #expect(throws: AEADError.ciphertextTooShort(15)) {
            try key.open(Array(sealed.prefix(15)), nonce: AEADNonce(counter: 3), associatedData: [9])
        }
    }

    @Test(arguments: AEADCipher.available)
    func sealsAndOpensInPlace(cipher: AEADCipher) throws {
        let key = try AEADKey(cipher: cipher, bytes: [UInt8](repeating: 2, count: 32))
        let plaintext = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        var buffer = plaintext + [UInt8](repeating: 0, count: 16)
        let nonce = AEADNonce(counter: 1 << 40)
        let ad: [UInt8] = [1, 2, 3]
        buffer.withUnsafeMutableBytes { raw in
            ad.withUnsafeBytes { adBytes in
                #expect(key.seal(UnsafeRawBufferPointer(rebasing: raw[0..<1000]), nonce: nonce,
                                 associatedData: adBytes, into: raw) == 1016)
            }
        }
        #expect(buffer == key.seal(plaintext, nonce: nonce, associatedData: ad))
        let opened = try buffer.withUnsafeMutableBytes { raw in
            try ad.withUnsafeBytes { adBytes in
                try key.open(UnsafeRawBufferPointer(raw), nonce: nonce, associatedData: adBytes, into: raw)
            }
        }
        #expect(opened == 1000)
        #expect(Array(buffer.prefix(1000)) == plaintext)
    }

    @Test func emptyPlaintextRoundTrips() throws {
        let key = try AEADKey(cipher: .chaCha20Poly1305, bytes: [UInt8](repeating: 3, count: 32))
        let sealed = key.seal([UInt8](), nonce: AEADNonce(counter: 0))
        #expect(sealed.count == 16)
        #expect(try key.open(sealed, nonce: AEADNonce(counter: 0)).isEmpty)
    }

    @Test func nonceLayout() throws {
        let nonce = try AEADNonce(bytes: Hex.decode("0102030405060708090a0b0c"))
        #expect(nonce.prefix == 0x0102_0304 && nonce.counter == 0x0506_0708_090a_0b0c)
        let bytes = AEADNonce(counter: 0x0102).withUnsafeBytes { Array(UnsafeBufferPointer(start: $0, count: 12)) }
        #expect(bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2])
        #expect(throws: AEADError.wrongNonceLength(11)) { try AEADNonce(bytes: [UInt8](repeating: 0, count: 11)) }
        #expect(throws: AEADError.wrongKeyLength(16)) {
            try AEADKey(cipher: .chaCha20Poly1305, bytes: [UInt8](repeating: 0, count: 16))
        }
    }

    /// OpenSSL (messages of `AEADKey.bulkByteCount` bytes and more) and libsodium (smaller ones) must produce the
    /// same bytes and open each other's output: a peer may run either for any frame.
    @Test(arguments: AEADCipher.available)
    func openSSLAndSodiumAgree(cipher: AEADCipher) throws {
        let key = try AEADKey(cipher: cipher, bytes: (0..<32).map { UInt8($0 * 7 % 256) })
        let ad: [UInt8] = [0, 0, 0x40, 0x10]
        for count in [0, 1, 15, 16, 17, 4095, 4096, 4097, 65_536, 262_144 + 33] {
            let plaintext = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let nonce = AEADNonce(counter: UInt64(count))
            let bySodium = try seal(key, plaintext, nonce, ad, using: .sodium)
            let byOpenSSL = try seal(key, plaintext, nonce, ad, using: .openSSL)
            #expect(bySodium == byOpenSSL, "\(cipher), \(count) bytes")
            #expect(try open(key, byOpenSSL, nonce, ad, using: .sodium) == plaintext)
            #expect(try open(key, bySodium, nonce, ad, using: .openSSL) == plaintext)
            #expect(key.seal(plaintext, nonce: nonce, associatedData: ad) == bySodium)
            // No associated data at all goes through another branch.
            #expect(try seal(key, plaintext, nonce, [], using: .sodium) == seal(key, plaintext, nonce, [], using: .openSSL))
        }
    }

    @Test(arguments: AEADCipher.available)
    func openSSLRejectsTamperingAndZeroesTheOutput(cipher: AEADCipher) throws {
        let key = try AEADKey(cipher: cipher, bytes: [UInt8](repeating: 9, count: 32))
        let plaintext = [UInt8](repeating: 0xAB, count: 10_000)
        let sealed = try seal(key, plaintext, AEADNonce(counter: 5), [1], using: .openSSL)
        for index in [0, 5_000, 9_999, 10_000, 10_015] {
            var altered = sealed
            altered[index] ^= 0x80
            // In place, as the frame decoder does: nothing of the unverified plaintext may stay behind.
            let outcome: Result<Int, AEADError> = altered.withUnsafeMutableBytes { raw in
                [UInt8]([1]).withUnsafeBytes { adBytes in
                    Result { () throws(AEADError) in
                        try key.open(UnsafeRawBufferPointer(raw), nonce: AEADNonce(counter: 5), associatedData: adBytes,
                                     into: raw, using: .openSSL)
                    }
                }
            }
            #expect(throws: AEADError.authenticationFailed) { try outcome.get() }
            #expect(altered.prefix(10_000).allSatisfy { $0 == 0 })
        }
        #expect(throws: AEADError.authenticationFailed) {
            try open(key, sealed, AEADNonce(counter: 6), [1], using: .openSSL)
        }
        #expect(throws: AEADError.authenticationFailed) {
            try open(key, sealed, AEADNonce(counter: 5), [2], using: .openSSL)
        }
    }

    private func seal(_ key: AEADKey, _ plaintext: [UInt8], _ nonce: AEADNonce, _ ad: [UInt8],
                      using implementation: AEADKey.Implementation) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: plaintext.count + 16)
        let written = plaintext.withUnsafeBytes { message in
            ad.withUnsafeBytes { data in
                output.withUnsafeMutableBytes { out in
                    key.seal(message, nonce: nonce, associatedData: data, into: out, using: implementation)
                }
            }
        }
        #expect(written == output.count)
        return output
    }

    private func open(_ key: AEADKey, _ sealed: [UInt8], _ nonce: AEADNonce, _ ad: [UInt8],
                      using implementation: AEADKey.Implementation) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: sealed.count - 16)
        let result: Result<Int, AEADError> = sealed.withUnsafeBytes { message in
            ad.withUnsafeBytes { data in
                output.withUnsafeMutableBytes { out in
                    Result { () throws(AEADError) in
                        try key.open(message, nonce: nonce, associatedData: data, into: out, using: implementation)
                    }
                }
            }
        }
        _ = try result.get()
        return output
    }
}
