import Testing
@testable import DHTCrypto

@Suite struct HMACSHA256KeyTests {
    /// RFC 4231, test case 2 ("Jefe"): a prepared key gives the RFC's tag, as the one-shot function does.
    @Test func rfc4231TestCase2() throws {
        let key = HMACSHA256Key(Array("Jefe".utf8))
        let message = Array("what do ya want for nothing?".utf8)
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(Hex.encode(key.authenticationCode(for: message)) == expected)
        #expect(Hex.encode(HMACSHA256.authenticationCode(for: message, key: Array("Jefe".utf8))) == expected)
    }

    /// One prepared key serves many messages: each tag equals the one-shot tag (the prepared state is copied,
    /// never consumed).
    @Test func manyMessagesUnderOneKey() {
        let secret = [UInt8](repeating: 0x42, count: 32)
        let key = HMACSHA256Key(secret)
        for length in [0, 1, 7, 19, 55, 56, 63, 64, 65, 200] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            #expect(key.authenticationCode(for: message) == HMACSHA256.authenticationCode(for: message, key: secret))
        }
    }
}
