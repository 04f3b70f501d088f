import ArgumentParser
import DHTCrypto
import DHTNode
import Foundation
import Kademlia
import NIOCore
import NIOPosix
import Synchronization

/// `dhtnode bench load`: drives one node (another process) with FIND_NODE requests and counts its replies.
struct LoadBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Send FIND_NODE requests to a node as fast as it answers, and report replies per second.",
        discussion: """
            First a few helper nodes in this process join through the target, so that its routing table holds \
            contacts and its replies are full NODES lists. Then the sockets send requests at a fixed offered rate \
            (open loop: a lost request does not slow the load down), padded as lookups are so that replies are not \
            cut, and the replies that come back are counted. Offer more than the node can answer to measure its \
            capacity. The target must run without rate limits (dhtnode run --no-rate-limits), since all the load \
            comes from 127.0.0.1.
            """
    )

    @Option(help: "The node to load, ADDR:PORT.")
    var target: String

    @Option(help: "Seconds to measure (after one second of warm-up).")
    var seconds: Int = 10

    @Option(help: "UDP sockets sending requests.")
    var sockets: Int = 4

    @Option(help: "Requests offered per second, over all sockets.")
    var rate: Int = 100_000

    @Option(help: "Helper nodes that join the target first, to fill its routing table.")
    var contacts: Int = 25

    @Option(
        name: .customLong("target-pid"),
        help: "The target's process ID: also report its CPU time per reply (Linux, same machine)."
    )
    var targetPID: Int32?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let targetAddress: NodeAddress
        do { targetAddress = try NodeAddress(parsing: target) } catch {
            throw ValidationError("--target: \(error)")
        }
        var helpers: [Node] = []
        for _ in 0..<contacts {
            let node = Node(configuration: SwarmBenchCommand.configuration(bootstrap: [targetAddress]))
            try await node.start()
            _ = try await node.bootstrap()
            helpers.append(node)
        }

        let replies = LoadCounter()
        var channels: [any Channel] = []
        for index in 0..<sockets {
            let generator = RequestGenerator(seed: UInt64(index + 1), target: targetAddress)
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.datagramVectorReadMessageCount, value: 32)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 2048))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            LoadHandler(generator: generator, counter: replies)
                        )
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            channels.append(channel)
        }
        let perMillisecond = max(1, rate / 1000 / max(1, sockets))
        var tasks: [RepeatedTask] = []
        for channel in channels {
            let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(1)) { _ in
                let handler = try channel.pipeline.syncOperations.handler(type: LoadHandler.self)
                handler.send(count: perMillisecond, on: channel)
            }
            tasks.append(task)
        }
        try await Task.sleep(for: .seconds(1))
        let first = replies.value
        let cpuStart = targetPID.flatMap(ProcessCPUTime.of(pid:))
        let clockStart = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = (ContinuousClock.now - clockStart).seconds
        let count = replies.value - first
        let cpuEnd = targetPID.flatMap(ProcessCPUTime.of(pid:))
        for task in tasks { task.cancel() }
        for channel in channels { try? await channel.close() }
        for node in helpers { await node.stop() }
        let rate = Double(count) / elapsed
        // CPU microseconds the target spent per reply, and the replies one fully used core would give at that cost.
        var cpu: (perReply: Double, capacity: Double)?
        if let cpuStart, let cpuEnd, count > 0 {
            let perReply = (cpuEnd - cpuStart).seconds * 1_000_000 / Double(count)
            if perReply > 0 { cpu = (perReply, 1_000_000 / perReply) }
        }
        if json {
            var fields = "\"offered\":\(self.rate),\"replies\":\(count),\"seconds\":\(String(format: "%.3f", elapsed)),\"repliesPerSecond\":\(Int(rate))"
            if let cpu {
                fields += ",\"targetCPUMicrosecondsPerReply\":\(String(format: "%.2f", cpu.perReply)),\"repliesPerCoreSecond\":\(Int(cpu.capacity))"
            }
            print("{\(fields)}")
        } else {
            print("offered \(self.rate)/s; replies: \(count) in \(String(format: "%.2f", elapsed)) s = \(Int(rate)) replies/s")
            if let cpu {
                print("target CPU: \(String(format: "%.2f", cpu.perReply)) µs per reply = \(Int(cpu.capacity)) replies per second of one core")
            }
        }
    }
}

/// Replies counted across sockets.
final class LoadCounter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Encodes padded FIND_NODE requests with fresh transaction IDs.
struct RequestGenerator: Sendable {
    let key: [UInt8]
    let target: NodeAddress
    let seed: UInt64

    init(seed: UInt64, target: NodeAddress) {
        self.key = NodeIdentity.generate().publicKey.bytes
        self.target = target
        self.seed = seed
    }

    func request(_ sequence: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed &* 0x9e37_79b9_7f4a_7c15 &+ sequence)
        var datagram = DHTDatagram(
            transactionID: TransactionID(rawValue: seed << 48 | sequence),
            senderKey: key,
            body: .request(.findNode(NodeID.random(using: &random)))
        )
        datagram.paddingByteCount = DatagramEndpoint.paddedLookupRequestByteCount - datagram.byteCount
        return (try? datagram.encoded()) ?? []
    }
}

/// Sends requests when told to, and counts every reply.
final class LoadHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let generator: RequestGenerator
    private let counter: LoadCounter
    private let remote: SocketAddress
    private var sequence: UInt64 = 0
    private var pending = 0

    init(generator: RequestGenerator, counter: LoadCounter) {
        self.generator = generator
        self.counter = counter
        let target = generator.target
        if case .ipv4(let ip) = target.host {
            let text = "\(ip >> 24).\(ip >> 16 & 0xff).\(ip >> 8 & 0xff).\(ip & 0xff)"
            self.remote = try! SocketAddress(ipAddress: text, port: Int(target.port))
        } else {
            self.remote = try! SocketAddress(ipAddress: "::1", port: Int(target.port))
        }
    }

    func send(count: Int, on channel: any Channel) {
        for _ in 0..<count { send(on: channel) }
        channel.flush()
    }

    private func send(on channel: any Channel) {
        sequence += 1
        channel.write(
            AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: generator.request(sequence))),
            promise: nil
        )
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += 1
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        counter.add(pending)
        pending = 0
    }
}
