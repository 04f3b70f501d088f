import ArgumentParser
import Blocks
import DHTCrypto
import Exchange
import Foundation
import Kademlia
import NIOCore
import NIOPosix
import SecureChannel

/// `dhtnode bench hostile-peers`: the slow attacks a node's exchange must hold against, from real connections, so
/// that tests and benchmarks measure the limits on a running daemon (docs/PROTOCOL.md, "Limits").
struct HostilePeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile-peers",
        abstract: "Open connections to a node's block exchange that misbehave slowly, to measure its limits.",
        discussion: """
            Each peer opens one connection, at --rate connections per second:
              slow-reader  completes a handshake with a fresh identity, asks for every block of --file (chunked as \
            `add` does) with a 4 KiB receive buffer and never reads a byte;
              trickle      completes a handshake, sends all but the last bytes of a 2 MiB frame at once, then one \
            byte every --interval seconds;
              one-byte     sends one byte of a handshake and nothing more;
              honest       completes a handshake and closes (counts how many succeed: the honest side of a flood).
            The peers stay for --seconds, then close. Connections are spread over the --bind addresses (127.0.0.1 \
            by default), since the target admits only so many per address. Prints how many connections the target \
            closed and after how long (a slow reader cannot see its close, since it does not read: ask the target's \
            /metrics).
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case slowReader = "slow-reader"
        case trickle
        case oneByte = "one-byte"
        case honest
    }

    /// What became of one peer's connection.
    struct Outcome: Sendable {
        /// Whether its handshake completed (`honest`, and the peers that handshake first).
        var handshook = false
        /// How long after it connected the target closed it, when it did before the end.
        var closedAfter: Duration?
    }

    @Option(help: "The node's exchange address, HOST:PORT (the port of its UDP address).")
    var target: String

    @Option(help: "What the peers do: slow-reader, trickle, one-byte or honest.")
    var kind: Kind = .slowReader

    @Option(help: "How many peers.")
    var peers: Int = 24

    @Option(help: "slow-reader: the file whose blocks every peer asks for.")
    var file: String?

    @Option(help: "trickle: seconds between bytes.")
    var interval: Double = 12

    @Option(help: "Connections opened per second.")
    var rate: Double = 50

    @Option(help: "Seconds the peers stay before they close.")
    var seconds: Double = 30

    @Option(help: "A local address to connect from (repeatable; peers take them in turn).")
    var bind: [String] = []

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let address: SocketAddress
        do {
            address = try NodeAddress(parsing: target).socketAddress
        } catch {
            throw ValidationError("--target: \(error)")
        }
        let locals = try (bind.isEmpty ? ["127.0.0.1"] : bind).map { host in
            do {
                return try SocketAddress(ipAddress: host, port: 0)
            } catch {
                throw ValidationError("--bind \(host): not an IP address")
            }
        }
        guard peers > 0 else { throw ValidationError("--peers must be at least 1") }
        guard rate > 0 else { throw ValidationError("--rate must be more than 0") }
        var wants: [CID] = []
        if kind == .slowReader {
            guard let file else { throw ValidationError("slow-reader needs --file, the file whose blocks to ask for") }
            wants = try Self.blockCIDs(of: file)
        }

        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .milliseconds(Int64(seconds * 1000))
        let results = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for index in 0..<peers {
                let local = locals[index % locals.count]
                let (kind, interval, wants) = (kind, interval, wants)
                group.addTask {
                    (try? await Self.runPeer(
                        kind, from: local, to: address, wants: wants, interval: interval, until: end, clock: clock))
                        ?? Outcome()
                }
                try await Task.sleep(for: .milliseconds(Int64(1000 / rate)))
            }
            var outcomes: [Outcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let closedAfter = results.compactMap(\.closedAfter).map {
            Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18
        }
        let sorted = closedAfter.sorted()
        let handshakes = results.count(where: \.handshook)
        if json {
            let object: [String: Any] = [
                "kind": kind.rawValue, "peers": peers, "closedByTarget": sorted.count, "handshakes": handshakes,
                "closedAfterSeconds": sorted.map { ($0 * 1000).rounded() / 1000 },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "\(kind.rawValue): \(peers) peers, \(handshakes) handshakes completed, \(sorted.count) closed by the target",
                terminator: "")
            if let first = sorted.first, let last = sorted.last {
                print(String(format: " after %.1f to %.1f s", first, last))
            } else {
                print("")
            }
        }
    }

    /// Every block CID of `path` imported as `add` does (the default profile).
    static func blockCIDs(of path: String) throws -> [CID] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("\(path): cannot open the file") }
        defer { try? handle.close() }
        var builder = BalancedDAGBuilder()
        var cids: [CID] = []
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            builder.append(Array(chunk)) { (block: Block) in cids.append(block.cid) }
        }
        let result = builder.finish { (block: Block) in cids.append(block.cid) }
        // The root first: a fetch asks for it first, and so do these peers.
        return [result.root] + cids.filter { $0 != result.root }
    }

    /// Runs one peer until `end` (an honest one until its handshake ends).
    static func runPeer(
        _ kind: Kind, from local: SocketAddress, to address: SocketAddress, wants: [CID], interval: Double,
        until end: ContinuousClock.Instant, clock: ContinuousClock
    ) async throws -> Outcome {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 4096)
            .bind(to: local)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let started = clock.now
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            if kind == .oneByte {
                try await outbound.write(ByteBuffer(bytes: [0]))
                return Outcome(closedAfter: await closedBefore(end, &iterator, channel: channel, started: started, clock: clock))
            }
            guard var session = try await handshake(&iterator, outbound) else {
                return Outcome(closedAfter: clock.now - started)
            }
            switch kind {
            case .oneByte, .honest:
                return Outcome(handshook: true)
            case .slowReader:
                for start in stride(from: 0, to: wants.count, by: ExchangeMessage.maxEntries) {
                    let message = ExchangeMessage.wantBlock(
                        wants[start..<min(start + ExchangeMessage.maxEntries, wants.count)].map { ExchangeWant(cid: $0) })
                    try await outbound.write(ByteBuffer(bytes: try session.sealer.seal(try message.encoded())))
                }
                // Never read: the target's blocks pile up in its channel.
                try await clock.sleep(until: end)
                return Outcome(handshook: true)
            case .trickle:
                let frame = try session.sealer.seal([UInt8](repeating: 0, count: SecureFrame.maxPlaintextByteCount))
                try await outbound.write(ByteBuffer(bytes: frame.dropLast(32)))
                // Trickle the rest while watching for the target's close; at the end, close from this side.
                let writer = Task {
                    for byte in frame.suffix(32) {
                        try await clock.sleep(for: .milliseconds(Int64(interval * 1000)))
                        try await outbound.write(ByteBuffer(bytes: [byte]))
                    }
                }
                let closed = await closedBefore(end, &iterator, channel: channel, started: started, clock: clock)
                writer.cancel()
                return Outcome(handshook: true, closedAfter: closed)
            }
        }
    }

    /// Reads until the target closes the connection or `end` comes (then closes it from this side); returns how long
    /// after `started` the target closed it, if it did.
    static func closedBefore(
        _ end: ContinuousClock.Instant,
        _ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        started: ContinuousClock.Instant,
        clock: ContinuousClock
    ) async -> Duration? {
        let closer = Task {
            try await clock.sleep(until: end)
            channel.channel.close(promise: nil)
        }
        do {
            while try await iterator.next() != nil {}
        } catch {
            // A reset is a close too.
        }
        closer.cancel()
        return clock.now < end ? clock.now - started : nil
    }

    /// Completes a handshake as initiator with a fresh identity.
    static func handshake(
        _ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws -> SecureSession? {
        var machine = SecureChannelHandshake.initiator(
            configuration: HandshakeConfiguration(identity: .generate()), ephemeralKey: .generate())
        for case .send(let bytes) in machine.start() { try await outbound.write(ByteBuffer(bytes: bytes)) }
        while let buffer = try await iterator.next() {
            for directive in machine.receive(Array(buffer.readableBytesView)) {
                switch directive {
                case .send(let bytes): try await outbound.write(ByteBuffer(bytes: bytes))
                case .established(let session): return session
                case .failed: return nil
                }
            }
        }
        return nil
    }
}
