import Testing

@testable import Kademlia

@Suite("DHTDatagram mutations")
struct DHTDatagramMutationTests {
    /// Flips, overwrites, truncates, extends, inserts and deletes random bytes of valid datagrams: decoding never
    /// traps, and whatever decodes encodes back to exactly the same bytes (the encoding is canonical).
    @Test("random mutations of valid datagrams decode or throw, never trap")
    func mutations() throws {
        var random = SeededRandom(seed: 0x5eed_d47a)
        let originals = try WireFixtures.all.map { try $0.encoded() }
        var decodedCount = 0
        var reasons: [String: Int] = [:]
        for _ in 0..<50_000 {
            var bytes = originals[Int(random.next() % UInt64(originals.count))]
            let edits = 1 + Int(random.next() % 3)
            for _ in 0..<edits {
                mutate(&bytes, using: &random)
            }
            do {
                let datagram = try DHTDatagram(decoding: bytes)
                decodedCount += 1
                let again = try datagram.encoded()
                #expect(again == bytes)
                #expect(try DHTDatagram(decoding: again) == datagram)
            } catch let error as DHTDatagramError {
                #expect(error.offset >= 0 && error.offset <= DHTDatagram.maxByteCount)
                reasons[error.reason, default: 0] += 1
            }
        }
        // The mutations reach both outcomes and many kinds of error.
        #expect(decodedCount > 100)
        #expect(reasons.count >= 8, "\(reasons)")
    }

    func mutate(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        func index() -> Int { bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count)) }
        switch random.next() % 7 {
        case 0:
            if !bytes.isEmpty { bytes[index()] ^= UInt8(1) << UInt8(random.next() % 8) }
        case 1:
            if !bytes.isEmpty { bytes[index()] = UInt8(truncatingIfNeeded: random.next()) }
        case 2:
            bytes.removeLast(bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count + 1)))
        case 3:
            let extra = Int(random.next() % 1400)
            bytes += (0..<extra).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 4:
            bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: index())
        case 5:
            if !bytes.isEmpty { bytes.remove(at: index()) }
        default:
            // Small numbers where counts and lengths live.
            if !bytes.isEmpty { bytes[index()] = UInt8(random.next() % 40) }
        }
    }
}
