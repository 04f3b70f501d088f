import DHTCrypto
import SecureChannel
import Testing

/// The streaming frame reader: frames cut anywhere by reads, opened into their final arrays, split where the
/// application says, and nothing of a frame that fails delivered.
@Suite struct SecureFrameReaderTests {
    static func key(_ cipher: AEADCipher) -> AEADKey {
        try! AEADKey(cipher: cipher, bytes: [UInt8](repeating: 0x5A, count: 32))
    }

    /// Splits a frame whose first byte is odd after `first[1]` bytes (when the prefix holds them); even: whole.
    static let split: SecureFrameReader.PayloadSplit = { prefix in
        guard prefix.count >= 2, prefix[0] % 2 == 1 else { return nil }
        let offset = Int(prefix[1])
        return offset <= prefix.count ? offset : nil
    }

    /// Frames whose first bytes tell the split above what to do: odd first byte, header length in the second.
    static func message(_ index: Int, size: Int) -> [UInt8] {
        var bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ index) }
        if size >= 2 {
            bytes[0] = UInt8(index % 4)  // 1 and 3 split
            bytes[1] = UInt8([0, 2, 38, 64][index % 4 == 3 ? 2 : index % 4])
        }
        return bytes
    }

    static func expectedHeadCount(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 2, bytes[0] % 2 == 1 else { return bytes.count }
        let offset = Int(bytes[1])
        return offset <= min(bytes.count, SecureFrameReader.prefixByteCount) ? offset : bytes.count
    }

    @Test(arguments: AEADCipher.available)
    func framesCutAnywhereAreOpenedAndSplit(cipher: AEADCipher) throws {
        var sealer = SecureFrameSealer(key: Self.key(cipher))
        let reader = SecureFrameReader(opener: SecureFrameOpener(key: Self.key(cipher)), split: Self.split)
        let sizes = [0, 1, 2, 3, 38, 63, 64, 65, 100, 4095, 4096, 70_000, 262_144 + 40, SecureFrame.maxPlaintextByteCount]
        var messages: [[UInt8]] = []
        var stream: [UInt8] = []
        for (index, size) in sizes.enumerated() {
            let message = Self.message(index, size: size)
            messages.append(message)
            // Sealed in two pieces or one: the receiver's split is its own business.
            let piece = index % 3 == 0 ? min(size, 7) : size
            stream += try sealer.seal(SecureFramePlaintext(head: Array(message[..<piece]), payload: Array(message[piece...])))
        }
        var received: [SecureFramePlaintext] = []
        var generator = SystemRandomNumberGenerator()
        var offset = 0
        while offset < stream.count {
            // Reads of 1 byte to 300 KiB, so headers, prefixes and tags are all cut somewhere.
            let end = min(stream.count, offset + [1, 3, 17, 100, 5000, 300_000].randomElement(using: &generator)!)
            try reader.read(stream[offset..<end]) { received.append($0) }
            offset = end
            if received.count < messages.count { #expect(reader.partialFrameByteCount > 0 || offset == end) }
        }
        #expect(received.count == messages.count)
        for (index, frame) in received.enumerated() {
            #expect(frame.bytes == messages[index], "frame \(index)")
            #expect(frame.head.count == Self.expectedHeadCount(messages[index]), "frame \(index) of \(sizes[index])")
        }
        #expect(reader.partialFrameByteCount == 0)
        #expect(reader.frameCount == UInt64(sizes.count))
        try reader.finish()
    }

    @Test(arguments: [5, 40, 70, 200_000, 262_159])
    func aTamperedFrameIsNotDeliveredAndTheErrorStays(index tampered: Int) throws {
        var sealer = SecureFrameSealer(key: Self.key(.chaCha20Poly1305))
        let reader = SecureFrameReader(opener: SecureFrameOpener(key: Self.key(.chaCha20Poly1305)), split: Self.split)
        let good = try sealer.seal([2, 2, 3])
        var bad = try sealer.seal(SecureFramePlaintext(head: [1, 3, 9], payload: [UInt8](repeating: 4, count: 262_144)))
        bad[tampered] ^= 0x01
        let after = try sealer.seal([5])
        var received: [SecureFramePlaintext] = []
        #expect(throws: SecureFrameError.authenticationFailed) {
            // The good frame and the start of the bad one in one read, the rest in another.
            try reader.read(good + bad.prefix(100_000)) { received.append($0) }
            try reader.read(bad.dropFirst(100_000) + after) { received.append($0) }
        }
        #expect(received == [SecureFramePlaintext(head: [2, 2, 3])])
        #expect(throws: SecureFrameError.authenticationFailed) { try reader.read(after) { received.append($0) } }
        #expect(throws: SecureFrameError.authenticationFailed) { try reader.finish() }
        #expect(received.count == 1)
    }

    @Test func aBadLengthFailsAtItsFourthByte() throws {
        let reader = SecureFrameReader(opener: SecureFrameOpener(key: Self.key(.chaCha20Poly1305)))
        let length = SecureFrame.maxCiphertextByteCount + 1
        try reader.read([UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff)]) { _ in }
        #expect(reader.partialFrameByteCount == 3)
        #expect(throws: SecureFrameError.tooLarge(byteCount: length)) {
            try reader.read([UInt8(length & 0xff)]) { _ in Issue.record("nothing to deliver") }
        }
    }

    @Test func aTruncatedFrameIsReportedAtTheEnd() throws {
        var sealer = SecureFrameSealer(key: Self.key(.chaCha20Poly1305))
        let reader = SecureFrameReader(opener: SecureFrameOpener(key: Self.key(.chaCha20Poly1305)), split: Self.split)
        let frame = try sealer.seal([UInt8](repeating: 1, count: 1000))
        for cut in [2, 30, 70, 1010] {
            let partial = SecureFrameReader(opener: SecureFrameOpener(key: Self.key(.chaCha20Poly1305)))
            try partial.read(frame.prefix(cut)) { _ in Issue.record("incomplete frame delivered") }
            #expect(partial.partialFrameByteCount == cut)
            #expect(throws: SecureFrameError.truncated(byteCount: cut)) { try partial.finish() }
        }
        var delivered = 0
        try reader.read(frame) { _ in delivered += 1 }
        #expect(delivered == 1)
        try reader.finish()
    }
}
