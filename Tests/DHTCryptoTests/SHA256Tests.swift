import Testing
@testable import DHTCrypto

@Suite struct SHA256Tests {
    @Test func emptyInputMatchesFIPSVector() {
        #expect(SHA256.hash([UInt8]()).description
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abcMatchesFIPSVector() {
        #expect(SHA256.hash(Array("abc".utf8)).description
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256Hasher()
        var offset = 0
        for size in [0, 1, 63, 64, 65, 4096, 30_000] {
            hasher.update(data[offset..<offset + size])
            offset += size
        }
        hasher.update(data[offset...])
        #expect(hasher.finalize() == SHA256.hash(data))
    }

    @Test("small inputs (libsodium) and large ones (OpenSSL) agree with the streaming hasher at every size around the limit")
    func smallAndLargeInputsAgree() {
        let data = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        let limit = SHA256.smallInputByteCount
        for count in [0, 1, 31, 32, 55, 56, 63, 64, 65, limit - 1, limit, limit + 1, 1000, 2048] {
            var hasher = SHA256Hasher()
            hasher.update(data[0..<count])
            let streamed = hasher.finalize()
            #expect(SHA256.hash(data[0..<count]) == streamed, "\(count) bytes")
        }
        // FIPS 180-2 two-block vector, 56 bytes: hashed by libsodium.
        #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).description
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}

@Suite struct HexTests {
    @Test func roundTrips() throws {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        #expect(Hex.encode(bytes) == "00017f80ff")
        #expect(try Hex.decode("00017F80ff") == bytes)
    }

    @Test func rejectsOddLength() {
        #expect(throws: HexDecodingError.oddLength(3)) { try Hex.decode("abc") }
    }

    @Test func namesTheBadCharacter() {
        #expect(throws: HexDecodingError.invalidCharacter(offset: 3)) { try Hex.decode("00az") }
    }
}
