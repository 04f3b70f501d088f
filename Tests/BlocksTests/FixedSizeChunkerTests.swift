import Testing

@testable import Blocks

@Suite struct FixedSizeChunkerTests {
    private func chunks(_ input: [UInt8], size: Int, pieces: Int) -> [[UInt8]] {
        var chunker = FixedSizeChunker(chunkSize: size)
        var output: [[UInt8]] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + pieces)
            chunker.append(input[offset..<end]) { (chunk: [UInt8]) in output.append(chunk) }
            offset = end
        }
        let last = chunker.finish()
        if !last.isEmpty { output.append(last) }
        #expect(chunker.pendingByteCount == 0)
        return output
    }

    @Test func cutsFixedSizeChunksWhateverThePieceSize() {
        let input = distinctBytes(10)
        let expected = [Array(input[0..<4]), Array(input[4..<8]), Array(input[8..<10])]
        for piece in 1...12 {
            #expect(chunks(input, size: 4, pieces: piece) == expected)
        }
    }

    @Test func leavesNothingBehindOnAnExactMultiple() {
        #expect(chunks(distinctBytes(12), size: 4, pieces: 5).map(\.count) == [4, 4, 4])
        #expect(chunks([], size: 4, pieces: 1).isEmpty)
    }

    @Test func holdsAtMostOnePartialChunk() {
        var chunker = FixedSizeChunker(chunkSize: 1000)
        for _ in 0..<100 {
            chunker.append([UInt8](repeating: 1, count: 333)) { (_: [UInt8]) in }
            #expect(chunker.pendingByteCount < 1000)
        }
    }
}
