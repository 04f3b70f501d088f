import Testing

@testable import DHTCrypto

/// Sealing from two pieces and opening piece by piece must give exactly the bytes of the one-shot forms: a sender
/// seals a block where it lies, a receiver decrypts a frame as its reads arrive, and the peer may do neither.
@Suite struct AEADPiecesTests {
    static let sizes = [0, 1, 15, 16, 17, 63, 64, 65, 4095, 4096, 4097, 65_536, 262_144 + 33]

    static func key(_ cipher: AEADCipher) throws -> AEADKey {
        try AEADKey(cipher: cipher, bytes: (0..<32).map { UInt8($0 * 11 % 256) })
    }

    static func plaintext(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) }
    }

    @Test(arguments: AEADCipher.available)
    func twoPiecesSealAsOne(cipher: AEADCipher) throws {
        let key = try Self.key(cipher)
        let ad: [UInt8] = [0, 0, 1, 2]
        for count in Self.sizes {
            let message = Self.plaintext(count)
            let nonce = AEADNonce(counter: UInt64(count))
            let whole = key.seal(message, nonce: nonce, associatedData: ad)
            for split in Set([0, min(count, 3), min(count, 38), count / 2, count]) {
                for implementation in AEADKey.Implementation.allCases {
                    var output = [UInt8](repeating: 0xEE, count: count + AEADCipher.tagByteCount)
                    let written = Array(message[..<split]).withUnsafeBytes { head in
                        Array(message[split...]).withUnsafeBytes { payload in
                            ad.withUnsafeBytes { data in
                                output.withUnsafeMutableBytes { out in
                                    key.seal(head, payload, nonce: nonce, associatedData: data, into: out,
                                             using: implementation)
                                }
                            }
                        }
                    }
                    #expect(written == whole.count)
                    #expect(output == whole, "\(cipher), \(count) bytes split at \(split), \(implementation)")
                }
            }
        }
    }

    @Test(arguments: AEADCipher.available)
    func incrementalOpenMatchesOneShot(cipher: AEADCipher) throws {
        let key = try Self.key(cipher)
        let opener = AEADIncrementalOpener(key: key)
        let ad: [UInt8] = [0, 4, 0, 16]
        var generator = SystemRandomNumberGenerator()
        for count in Self.sizes {
            let message = Self.plaintext(count)
            let nonce = AEADNonce(counter: UInt64(count) + 1)
            let sealed = key.seal(message, nonce: nonce, associatedData: ad)
            // Pieces of random lengths (1 to 5000 bytes), as reads would cut them; the same context every time.
            var output = [UInt8](repeating: 0, count: count)
            ad.withUnsafeBytes { opener.begin(nonce: nonce, associatedData: $0) }
            var offset = 0
            while offset < count {
                let end = min(count, offset + Int.random(in: 1...5000, using: &generator))
                sealed.withUnsafeBytes { bytes in
                    output.withUnsafeMutableBytes { out in
                        opener.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]),
                                      into: UnsafeMutableRawBufferPointer(rebasing: out[offset...]))
                    }
                }
                offset = end
            }
            let verified = sealed.suffix(16).withUnsafeBytes { opener.finish(tag: $0) }
            #expect(verified, "\(cipher), \(count) bytes")
            #expect(output == message)
        }
    }

    @Test(arguments: AEADCipher.available)
    func incrementalOpenRejectsTampering(cipher: AEADCipher) throws {
        let key = try Self.key(cipher)
        let opener = AEADIncrementalOpener(key: key)
        let message = Self.plaintext(10_000)
        let nonce = AEADNonce(counter: 9)
        let sealed = key.seal(message, nonce: nonce, associatedData: [7])
        func opens(_ bytes: [UInt8], nonce: AEADNonce = nonce, ad: [UInt8] = [7]) -> Bool {
            var output = [UInt8](repeating: 0, count: bytes.count - 16)
            ad.withUnsafeBytes { opener.begin(nonce: nonce, associatedData: $0) }
            bytes.withUnsafeBytes { all in
                output.withUnsafeMutableBytes { opener.update(UnsafeRawBufferPointer(rebasing: all[..<(bytes.count - 16)]), into: $0) }
            }
            return bytes.suffix(16).withUnsafeBytes { opener.finish(tag: $0) }
        }
        #expect(opens(sealed))
        for index in [0, 5_000, 9_999, 10_000, 10_015] {
            var altered = sealed
            altered[index] ^= 0x80
            #expect(!opens(altered), "byte \(index) altered")
        }
        #expect(!opens(sealed, nonce: AEADNonce(counter: 10)))
        #expect(!opens(sealed, ad: [8]))
        // A failed message leaves the context usable for the next.
        #expect(opens(sealed))
    }
}
