import DHTCrypto
import SecureChannel
import Testing

@Suite struct SecureFrameTests {
    /// A sealer and the matching decoder, as the two ends of one direction.
    static func pair(_ cipher: AEADCipher = .chaCha20Poly1305) -> (SecureFrameSealer, SecureFrameDecoder) {
        let key = try! AEADKey(cipher: cipher, bytes: [UInt8](repeating: 0x42, count: 32))
        return (SecureFrameSealer(key: key), SecureFrameDecoder(opener: SecureFrameOpener(key: key)))
    }

    @Test(arguments: AEADCipher.available)
    func framesRoundTripUpToTheLimit(cipher: AEADCipher) throws {
        var (sealer, decoder) = Self.pair(cipher)
        let sizes = [0, 1, 1000, 65_536, SecureFrame.maxPlaintextByteCount]
        var stream: [UInt8] = []
        for size in sizes {
            let frame = try sealer.seal([UInt8](repeating: UInt8(size % 251), count: size))
            #expect(frame.count == SecureFrame.byteCount(plaintextByteCount: size))
            let length = frame.count - 4
            #expect(Array(frame.prefix(4)) == [UInt8(length >> 24), UInt8(length >> 16 & 0xff),
                                              UInt8(length >> 8 & 0xff), UInt8(length & 0xff)])
            stream += frame
        }
        // Deliver in uneven pieces.
        var offset = 0
        var received: [[UInt8]] = []
        var piece = 1
        while offset < stream.count {
            let end = min(stream.count, offset + piece)
            decoder.append(stream[offset..<end])
            offset = end
            piece = piece * 3 + 7
            while let frame = try decoder.nextFrame() { received.append(frame) }
        }
        #expect(received.map(\.count) == sizes)
        #expect(received.enumerated().allSatisfy { index, frame in frame.allSatisfy { $0 == UInt8(sizes[index] % 251) } })
        try decoder.finish()
    }

    @Test func tamperedFrameFailsForGood() throws {
        var (sealer, decoder) = Self.pair()
        var frame = try sealer.seal([1, 2, 3, 4])
        frame[6] ^= 0x01
        decoder.append(frame)
        #expect(throws: SecureFrameError.authenticationFailed) { try decoder.nextFrame() }
        decoder.append(try sealer.seal([5]))
        #expect(throws: SecureFrameError.authenticationFailed) { try decoder.nextFrame() }
    }

    @Test func alteredLengthFails() throws {
        var (sealer, decoder) = Self.pair()
        var frame = try sealer.seal([UInt8](repeating: 9, count: 40)) + [0]
        frame[3] += 1  // the length now takes one more byte, and the tag covers the header
        decoder.append(frame)
        #expect(throws: SecureFrameError.authenticationFailed) { try decoder.nextFrame() }
    }

    @Test func reorderedFramesFail() throws {
        var (sealer, decoder) = Self.pair()
        let first = try sealer.seal([1])
        let second = try sealer.seal([2])
        decoder.append(second + first)
        #expect(throws: SecureFrameError.authenticationFailed) { try decoder.nextFrame() }
    }

    @Test func replayedFrameFails() throws {
        var (sealer, decoder) = Self.pair()
        let first = try sealer.seal([1])
        decoder.append(first + first)
        #expect(try decoder.nextFrame() == [1])
        #expect(throws: SecureFrameError.authenticationFailed) { try decoder.nextFrame() }
    }

    @Test func truncatedStreamIsReported() throws {
        var (sealer, decoder) = Self.pair()
        let frame = try sealer.seal([UInt8](repeating: 1, count: 100))
        decoder.append(frame.prefix(60))
        #expect(try decoder.nextFrame() == nil)
        #expect(decoder.bufferedByteCount == 60)
        #expect(throws: SecureFrameError.truncated(byteCount: 60)) { try decoder.finish() }
    }

    /// An oversized length fails as soon as its 4 bytes are in, before any of the frame is buffered.
    @Test func oversizedLengthFailsAtTheHeader() throws {
        let (_, decoder) = Self.pair()
        let length = SecureFrame.maxCiphertextByteCount + 1
        decoder.append([UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff)])
        #expect(try decoder.nextFrame() == nil)
        decoder.append([UInt8(length & 0xff)])
        #expect(throws: SecureFrameError.tooLarge(byteCount: length)) { try decoder.nextFrame() }
        let (_, other) = Self.pair()
        other.append([0xff, 0xff, 0xff, 0xff])
        #expect(throws: SecureFrameError.tooLarge(byteCount: 0xffff_ffff)) { try other.nextFrame() }
    }

    @Test func lengthBelowTheTagFails() {
        let (_, decoder) = Self.pair()
        decoder.append([0, 0, 0, 15] + [UInt8](repeating: 0, count: 15))
        #expect(throws: SecureFrameError.tooShort(byteCount: 15)) { try decoder.nextFrame() }
    }

    @Test func oversizedPlaintextIsRefused() {
        var (sealer, _) = Self.pair()
        let size = SecureFrame.maxPlaintextByteCount + 1
        #expect(throws: SecureFrameError.plaintextTooLarge(byteCount: size)) {
            try sealer.seal([UInt8](repeating: 0, count: size))
        }
        #expect(sealer.frameCount == 0)
    }

    @Test func limits() {
        #expect(SecureFrame.maxPlaintextByteCount == 2_097_216)
        #expect(SecureFrame.maxCiphertextByteCount == 2_097_232)
        #expect(SecureFrame.maxByteCount == 2_097_236)
    }
}
