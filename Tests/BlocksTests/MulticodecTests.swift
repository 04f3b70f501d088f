import Testing
@testable import Blocks

@Test func multicodecCodesMatchTheTable() {
    #expect(Multicodec.raw.rawValue == 0x55)
    #expect(Multicodec.dagPB.rawValue == 0x70)
    #expect(Multicodec.sha2_256.rawValue == 0x12)
}
