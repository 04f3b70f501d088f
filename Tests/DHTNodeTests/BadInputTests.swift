import DHTCrypto
import Foundation
import Kademlia
import Testing

@testable import DHTNode

#if canImport(Glibc)
import Glibc
#endif

@Suite("A node under bad input", .serialized)
struct BadInputTests {
    func ping(key: NodeIdentity, tx: UInt64) throws -> [UInt8] {
        try DHTDatagram(
            transactionID: TransactionID(rawValue: tx),
            senderKey: key.publicKey.bytes,
            body: .request(.ping)
        ).encoded()
    }

    @Test("truncated, oversized, wrong-version, wrong-key, forged-signature and replayed datagrams are dropped, counted, and the node keeps answering")
    func everyKindOfBadDatagram() async throws {
        let node = Node(configuration: LoopbackSwarm.configuration())
        try await node.start()
        let target = node.listeningAddresses[0]
        let client = try await RawUDPClient()
        let me = NodeIdentity.generate()

        // A FIND_NODE first: its 3x budget leaves room for the node's verification PING after the NODES reply (a
        // bare PING's does not: its PONG takes 107 of the 129 bytes).
        let lookup = try DHTDatagram(
            transactionID: TransactionID(rawValue: 100),
            senderKey: me.publicKey.bytes,
            body: .request(.findNode(NodeID.zero))
        ).encoded()
        try await client.send([lookup], to: target)
        // A valid ping is answered with a signed PONG.
        let first = try ping(key: me, tx: 1)
        try await client.send([first], to: target)
        // Three answers: NODES, the node's own verification PING and the PONG (they may arrive in separate reads).
        let answers = try await client.receive(atLeast: 3)
        let pong = try #require(answers.compactMap { try? DHTDatagram(decoding: $0) }.first { $0.type == .pong })
        #expect(
            try Ed25519PublicKey(bytes: pong.senderKey).isValidSignature(
                pong.signature,
                for: DHTDatagram.pongChallenge(transactionID: TransactionID(rawValue: 1), requesterKey: me.publicKey.bytes)
            )
        )

        // The node verifies us with a ping of its own: answer it with a forged signature and with the wrong key.
        let verification = try #require(answers.compactMap { try? DHTDatagram(decoding: $0) }.first { $0.type == .ping })
        var forged = DHTDatagram(
            transactionID: verification.transactionID,
            senderKey: me.publicKey.bytes,
            body: .response(.pong),
            signature: [UInt8](repeating: 7, count: 64)
        )
        let impostor = NodeIdentity.generate()
        var wrongKey = forged
        wrongKey.senderKey = impostor.publicKey.bytes
        wrongKey.signature = impostor.sign(
            DHTDatagram.pongChallenge(transactionID: verification.transactionID, requesterKey: pong.senderKey)
        )
        var wrongVersion = first
        wrongVersion[0] = 9
        try await client.send(
            [
                Array(first.prefix(30)),  // truncated
                [UInt8](repeating: 1, count: 1500),  // oversized
                wrongVersion,
                try wrongKey.encoded(),
                try forged.encoded(),
                first,  // replayed
            ],
            to: target
        )
        _ = try await client.receive(atLeast: 100, timeout: .milliseconds(300))
        let statistics = try await node.statistics()
        #expect(statistics.dropped[.truncated] == 1)
        #expect(statistics.dropped[.oversized] == 1)
        #expect(statistics.dropped[.wrongVersion] == 1)
        #expect(statistics.dropped[.wrongKey] == 1)
        #expect(statistics.dropped[.badSignature] == 1)
        #expect(statistics.dropped[.replayed] == 1)
        #expect(try await node.peers().isEmpty)

        // Still answering.
        try await client.send([try ping(key: me, tx: 2)], to: target)
        let later = try await client.receive(atLeast: 1)
        #expect(later.contains { (try? DHTDatagram(decoding: $0))?.type == .pong })
        forged.signature = []
        await client.close()
        await node.stop()
    }

    @Test("100,000 junk datagrams: memory stays bounded and a lookup still succeeds")
    func junkFlood() async throws {
        let swarm = try await LoopbackSwarm.start(count: 10)
        let victim = swarm.nodes[1]
        let target = victim.listeningAddresses[0]
        let client = try await RawUDPClient()
        let residentBefore = residentBytes()
        var random = SystemRandomNumberGenerator()
        let key = NodeIdentity.generate().publicKey.bytes
        for round in 0..<100 {
            var batch: [[UInt8]] = []
            for index in 0..<1000 {
                switch index % 4 {
                case 0: batch.append((0..<Int.random(in: 0..<1400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
                case 1:
                    // Well-formed requests under fresh transaction IDs and random keys: the expensive kind.
                    let sender = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
                    batch.append(try DHTDatagram(
                        transactionID: TransactionID(rawValue: UInt64(round * 1000 + index)),
                        senderKey: sender,
                        body: .request(.findNode(NodeID.random(using: &random)))
                    ).encoded())
                case 2:
                    // Responses nobody asked for.
                    batch.append(try DHTDatagram(
                        transactionID: TransactionID(rawValue: random.next()),
                        senderKey: key,
                        body: .response(.nodes([]))
                    ).encoded())
                default:
                    batch.append([0x01, 0x02, 0x00])
                }
            }
            try await client.send(batch, to: target)
            // Paced a little, so that the flood reaches the node instead of overflowing the socket buffer.
            try await Task.sleep(for: .milliseconds(10))
            if round % 10 == 9 { _ = try await client.receive(atLeast: .max, timeout: .milliseconds(1)) }
        }
        try await Task.sleep(for: .milliseconds(300))
        let statistics = try await victim.statistics()
        // What the socket buffer could not hold the kernel dropped before the node saw it. How much gets through
        // depends on how busy the machine is (about 20,000 on a loaded CI machine, more on a quiet one); thousands
        // are enough to show the node ate a flood and kept working.
        #expect(statistics.datagramsIn >= 5_000, "the flood arrived (\(statistics.datagramsIn))")
        #expect(statistics.droppedTotal >= statistics.datagramsIn / 2)
        let growth = residentBytes() - residentBefore
        #expect(growth < 64 << 20, "resident memory grew by \(growth >> 20) MiB")
        let result = try await victim.findNode(swarm.nodes[7].id)
        #expect(result.closest.first?.id == swarm.nodes[7].id)
        await client.close()
        await swarm.stop()
    }

    func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
