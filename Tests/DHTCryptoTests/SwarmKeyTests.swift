import Testing
@testable import DHTCrypto

@Suite struct SwarmKeyTests {
    @Test func wrapsExactly32Bytes() throws {
        let key = try SwarmKey(bytes: [UInt8](repeating: 0xcd, count: 32))
        #expect(key.bytes.count == 32)
        #expect(key == (try SwarmKey(bytes: [UInt8](repeating: 0xcd, count: 32))))
        #expect(key != SwarmKey.generate())
        #expect(throws: SwarmKeyError.wrongLength(31)) { try SwarmKey(bytes: [UInt8](repeating: 0, count: 31)) }
    }

    @Test func neverShowsTheKey() throws {
        let key = try SwarmKey(bytes: [UInt8](repeating: 0xcd, count: 32))
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(reflecting: key), dumped] {
            #expect(!text.contains("cd") && !text.contains("205"), "\(text)")
        }
    }
}
