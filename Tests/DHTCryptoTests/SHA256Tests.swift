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
