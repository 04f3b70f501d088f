import Testing

@testable import Blocks

@Suite struct VerifiedBlockMemoryTests {
    private func multihash(_ n: Int) -> Multihash { Multihash(hashing: Array("block \(n)".utf8)) }

    @Test func remembersWhatWasRecorded() {
        let memory = VerifiedBlockMemory(capacity: 8)
        #expect(!memory.contains(multihash(1)))
        memory.record(multihash(1))
        memory.record(multihash(1))
        #expect(memory.contains(multihash(1)))
        #expect(!memory.contains(multihash(2)))
    }

    /// Two generations of capacity / 2: the most recent blocks are remembered, the oldest forgotten, and the
    /// memory never holds more than `capacity`.
    @Test func forgetsTheOldestPastItsCapacity() {
        let memory = VerifiedBlockMemory(capacity: 8)
        for n in 0..<20 { memory.record(multihash(n)) }
        let remembered = (0..<20).filter { memory.contains(multihash($0)) }
        #expect(remembered.count <= 8)
        #expect(remembered.count >= 4)
        #expect(remembered == Array((20 - remembered.count)..<20), "the most recent ones")
    }
}
