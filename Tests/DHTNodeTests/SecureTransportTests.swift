import DHTCrypto
import NIOCore
import NIOPosix
import SecureChannel
import Synchronization
import Testing

@testable import DHTNode

/// Real TCP on 127.0.0.1: the handshake, frames up to the limit, and peers that break the rules.
@Suite("Secure channels over TCP", .serialized)
struct SecureTransportTests {
    /// Short timeouts, but far enough apart that a loaded CI machine (parallel suites on two cores) cannot blur
    /// "closed at once" and "closed by the timeout".
    static let fast = SecureTransportConfiguration(
        handshakeTimeout: .milliseconds(3_000),
        frameRate: FrameRateRule(grace: .milliseconds(300), minimumBytesPerSecond: 64 * 1024)
    )

    /// Runs an echo server (every frame sent back) for `body`.
    func withEchoServer<R: Sendable>(
        identity: NodeIdentity = .generate(),
        configuration: SecureTransportConfiguration = SecureTransportTests.fast,
        _ body: @Sendable (SecureListener) async throws -> R
    ) async throws -> R {
        let listener = try await SecureTransport(identity: identity, configuration: configuration)
            .listen(host: "127.0.0.1", port: 0)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await listener.run { connection in
                    try? await connection.channel.executeThenClose { inbound, outbound in
                        for try await frame in inbound { try await outbound.write(frame) }
                    }
                }
            }
            let result: R
            do {
                result = try await body(listener)
            } catch {
                await listener.close()
                group.cancelAll()
                throw error
            }
            await listener.close()
            group.cancelAll()
            return result
        }
    }

    /// Sends `sizes` frames of patterned bytes and checks each echo; returns how many came back intact. Every
    /// other frame is sent in two pieces (a 5-byte head and the rest as payload); `received` gets each echo as it
    /// arrived (head and payload as the receiving side split it).
    static func echo(
        _ connection: SecureConnection,
        sizes: [Int],
        received: (@Sendable (SecureFramePlaintext) -> Void)? = nil
    ) async throws -> Int {
        try await connection.channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var checked = 0
            for (index, size) in sizes.enumerated() {
                // A byte that differs from frame to frame, so a reordered echo is caught too.
                let bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: index &* 37 &+ size), count: size)
                let headCount = index % 2 == 0 ? size : min(size, 5)
                try await outbound.write(
                    SecureFramePlaintext(head: Array(bytes[..<headCount]), payload: Array(bytes[headCount...])))
                let echoed = try #require(try await iterator.next())
                received?(echoed)
                #expect(echoed.byteCount == size)
                #expect(echoed.bytes == bytes, "frame \(index) came back altered")
                checked += 1
            }
            return checked
        }
    }

    @Test("frames from 0 bytes to 2 MiB + 64 cross a real connection in both directions")
    func framesUpToTheLimit() async throws {
        let server = NodeIdentity.generate()
        let client = SecureTransport(identity: .generate(), configuration: Self.fast)
        try await withEchoServer(identity: server) { listener in
            let connection = try await client.connect(to: listener.localAddress, expecting: server.publicKey)
            #expect(connection.peer.publicKey == server.publicKey)
            #expect(connection.peer.cipher == AEADCipher.available[0])
            let sizes = [0, 1, 1_000, 65_536, 1_000_000, SecureFrame.maxPlaintextByteCount]
            #expect(try await Self.echo(connection, sizes: sizes) == sizes.count)
        }
    }

    @Test("a receiver with a payload split gets each frame's tail as its own array, where the split says")
    func payloadSplit() async throws {
        var splitting = Self.fast
        // Split after a 3-byte "header" when the frame's first byte says so (odd), else deliver whole.
        splitting.payloadSplit = { prefix in prefix.count >= 3 && prefix[0] % 2 == 1 ? 3 : nil }
        let client = SecureTransport(identity: .generate(), configuration: splitting)
        try await withEchoServer { listener in
            let connection = try await client.connect(to: listener.localAddress)
            let sizes = [0, 2, 3, 64, 65, 300_001, 1_000_000, SecureFrame.maxPlaintextByteCount]
            let headCounts = Mutex<[Int]>([])
            let echoed = try await Self.echo(connection, sizes: sizes) { frame in
                headCounts.withLock { $0.append(frame.head.count) }
            }
            #expect(echoed == sizes.count)
            for (index, headCount) in headCounts.withLock({ $0 }).enumerated() {
                let size = sizes[index]
                let firstByte = UInt8(truncatingIfNeeded: index &* 37 &+ size)
                #expect(headCount == (size >= 3 && firstByte % 2 == 1 ? 3 : size), "frame \(index) of \(size) bytes")
            }
        }
    }

    @Test("a plaintext over the limit fails that write only")
    func oversizedWriteFails() async throws {
        let client = SecureTransport(identity: .generate(), configuration: Self.fast)
        try await withEchoServer { listener in
            let connection = try await client.connect(to: listener.localAddress)
            try await connection.channel.executeThenClose { inbound, outbound in
                let big = SecureFramePlaintext(
                    head: [1], payload: [UInt8](repeating: 1, count: SecureFrame.maxPlaintextByteCount))
                await #expect(throws: SecureTransportError.frame(.plaintextTooLarge(byteCount: big.byteCount))) {
                    try await connection.channel.channel.writeAndFlush(big)
                }
                try await outbound.write(SecureFramePlaintext(head: [7]))
                var iterator = inbound.makeAsyncIterator()
                #expect(try await iterator.next()?.byteCount == 1)
            }
        }
    }

    @Test("a client with another swarm key, or none, cannot connect")
    func swarmKeysMustMatch() async throws {
        let key = SwarmKey.generate()
        let inSwarm = SecureTransportConfiguration(
            swarmKey: key, handshakeTimeout: Self.fast.handshakeTimeout, frameRate: Self.fast.frameRate)
        try await withEchoServer(configuration: inSwarm) { listener in
            let member = SecureTransport(identity: .generate(), configuration: inSwarm)
            let connection = try await member.connect(to: listener.localAddress)
            #expect(try await Self.echo(connection, sizes: [10]) == 1)

            var otherSwarm = Self.fast
            otherSwarm.swarmKey = .generate()
            for configuration in [otherSwarm, Self.fast] {
                let outsider = SecureTransport(identity: .generate(), configuration: configuration)
                await #expect(throws: SecureTransportError.closedDuringHandshake) {
                    _ = try await outsider.connect(to: listener.localAddress)
                }
            }
        }
    }

    @Test("an initiator that expects another node refuses the connection")
    func expectedKeyMismatch() async throws {
        let server = NodeIdentity.generate()
        let client = SecureTransport(identity: .generate(), configuration: Self.fast)
        try await withEchoServer(identity: server) { listener in
            await #expect(throws: SecureTransportError.handshake(.unexpectedPeer(server.publicKey))) {
                _ = try await client.connect(to: listener.localAddress, expecting: NodeIdentity.generate().publicKey)
            }
            return ()
        }
    }

    @Test("a source at its pending share gives up its oldest silent connection for its newest; an honest handshake from the same address still succeeds")
    func pendingShareDisplacesOldest() async throws {
        var limits = ConnectionLimits.secureListener
        limits.pendingPerSource = 2
        let configuration = SecureTransportConfiguration(
            handshakeTimeout: .milliseconds(4_000), frameRate: FrameRateRule(grace: .milliseconds(300), minimumBytesPerSecond: 64 * 1024), listenerLimits: limits)
        let client = SecureTransport(identity: .generate(), configuration: configuration)
        try await withEchoServer(configuration: configuration) { listener in
            let address = listener.localAddress
            try await withThrowingTaskGroup(of: (Int, Duration).self) { group in
                for index in 0..<3 {
                    group.addTask {
                        try await RawTCPPeer.connect(to: address).run { iterator, _ in
                            (index, await RawTCPPeer.timeUntilClosed(&iterator))
                        }
                    }
                    // Apart in time: accepted channels are admitted on their own event loops, so connections
                    // made back to back may reach the budget in another order.
                    try await Task.sleep(for: .milliseconds(400))
                }
                // Silent 0 was displaced by silent 2; the honest handshake displaces silent 1 and succeeds.
                let connection = try await client.connect(to: address)
                #expect(try await Self.echo(connection, sizes: [5]) == 1)
                var lifetimes: [Int: Duration] = [:]
                for try await (index, lifetime) in group { lifetimes[index] = lifetime }
                #expect(lifetimes[0]! < .milliseconds(2_000), "the oldest silent peer is displaced: \(lifetimes)")
                #expect(lifetimes[1]! < .milliseconds(2_500), "the next oldest gives way to the honest peer")
                #expect(lifetimes[2]! >= .milliseconds(3_500), "the newest keeps its slot until the timeout")
            }
        }
    }

    @Test("a silent connection is closed at its pending deadline when that comes before the handshake timeout")
    func pendingDeadline() async throws {
        var limits = ConnectionLimits.secureListener
        limits.pendingDeadline = .milliseconds(800)
        limits.minimumPendingDeadline = .milliseconds(800)
        let configuration = SecureTransportConfiguration(
            handshakeTimeout: .milliseconds(5_000), frameRate: FrameRateRule(grace: .milliseconds(300), minimumBytesPerSecond: 64 * 1024), listenerLimits: limits)
        try await withEchoServer(configuration: configuration) { listener in
            let lifetime = try await RawTCPPeer.connect(to: listener.localAddress).run { iterator, outbound in
                try await outbound.write(ByteBuffer(bytes: [1]))
                return await RawTCPPeer.timeUntilClosed(&iterator)
            }
            #expect(lifetime >= .milliseconds(600) && lifetime < .milliseconds(3_000), "closed after \(lifetime)")
            // The peer sees the close before the listener's loop has counted it: give the count a moment.
            let closed = ContinuousClock.now
            while listener.admission.counts.pending != 0, closed.duration(to: .now) < .seconds(1) {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(listener.admission.counts.pending == 0)
        }
    }

    @Test("past the open connections a source may hold, its new connections are refused at once and its established ones go on")
    func openCapRefuses() async throws {
        var limits = ConnectionLimits.secureListener
        limits.connectionsPerSource = 2
        let configuration = SecureTransportConfiguration(
            handshakeTimeout: .milliseconds(4_000), frameRate: FrameRateRule(grace: .milliseconds(300), minimumBytesPerSecond: 64 * 1024), listenerLimits: limits)
        let client = SecureTransport(identity: .generate(), configuration: configuration)
        try await withEchoServer(configuration: configuration) { listener in
            let first = try await client.connect(to: listener.localAddress)
            let second = try await client.connect(to: listener.localAddress)
            let refused = try await RawTCPPeer.connect(to: listener.localAddress).run { iterator, _ in
                await RawTCPPeer.timeUntilClosed(&iterator)
            }
            #expect(refused < .milliseconds(2_000), "the third connection is refused: \(refused)")
            #expect(try await Self.echo(first, sizes: [5, 6]) == 2)
            #expect(try await Self.echo(second, sizes: [7]) == 1)
        }
    }

    @Test("while one-byte connections arrive at 26 per second from the same address and stay, 33 of 34 honest handshakes succeed once the old 256 slots would be full")
    func handshakeFloodFromOneAddress() async throws {
        let configuration = SecureTransportConfiguration()
        let client = SecureTransport(identity: .generate(), configuration: configuration)
        try await withEchoServer(configuration: configuration) { listener in
            let address = listener.localAddress
            let succeeded = try await withThrowingTaskGroup(of: Int.self) { group in
                // Each flood connection sends one byte and holds on until the listener closes it; at 26 per
                // second against a 10 s handshake timeout that would keep 256 slots without a per-source share.
                group.addTask {
                    await withDiscardingTaskGroup { flood in
                        while !Task.isCancelled {
                            flood.addTask {
                                guard let peer = try? await RawTCPPeer.connect(to: address) else { return }
                                _ = try? await peer.run { iterator, outbound in
                                    try await outbound.write(ByteBuffer(bytes: [0x42]))
                                    return await RawTCPPeer.timeUntilClosed(&iterator)
                                }
                            }
                            try? await Task.sleep(for: .milliseconds(38))
                        }
                    }
                    return 0
                }
                try await Task.sleep(for: .milliseconds(10_500))
                var succeeded = 0
                for _ in 0..<34 {
                    if let connection = try? await client.connect(to: address),
                        (try? await Self.echo(connection, sizes: [5])) == 1
                    {
                        succeeded += 1
                    }
                    try await Task.sleep(for: .milliseconds(150))
                }
                #expect(listener.admission.counts.pending <= ConnectionLimits.secureListener.pendingPerSource)
                group.cancelAll()
                return succeeded
            }
            #expect(succeeded >= 33, "\(succeeded) of 34 honest handshakes succeeded")
        }
    }

    @Test("garbage, an oversized frame, a stalled frame and a silent peer are each disconnected within their timeout while a parallel transfer goes on")
    func misbehavingPeersAreDisconnected() async throws {
        let client = SecureTransport(identity: .generate(), configuration: Self.fast)
        try await withEchoServer { listener in
            let address = listener.localAddress
            try await withThrowingTaskGroup(of: (String, Duration).self) { group in
                group.addTask {
                    let connection = try await client.connect(to: address)
                    let clock = ContinuousClock()
                    let start = clock.now
                    let sizes = [Int](repeating: 1_000_000, count: 20)
                    #expect(try await Self.echo(connection, sizes: sizes) == sizes.count)
                    return ("good", clock.now - start)
                }
                group.addTask {
                    try await RawTCPPeer.connect(to: address).run { iterator, outbound in
                        try await outbound.write(ByteBuffer(bytes: (0..<4096).map { _ in UInt8.random(in: 0...255) }))
                        return ("garbage", await RawTCPPeer.timeUntilClosed(&iterator))
                    }
                }
                group.addTask {
                    try await RawTCPPeer.connect(to: address).run { iterator, outbound in
                        let session = try await RawTCPPeer.handshake(&iterator, outbound)
                        #expect(session != nil)
                        let length = UInt32(SecureFrame.maxCiphertextByteCount + 1)
                        try await outbound.write(ByteBuffer(integer: length))
                        return ("oversized", await RawTCPPeer.timeUntilClosed(&iterator))
                    }
                }
                group.addTask {
                    try await RawTCPPeer.connect(to: address).run { iterator, outbound in
                        var session = try #require(try await RawTCPPeer.handshake(&iterator, outbound))
                        let frame = try session.sealer.seal([UInt8](repeating: 3, count: 1_000))
                        try await outbound.write(ByteBuffer(bytes: frame.prefix(500)))
                        return ("stalled", await RawTCPPeer.timeUntilClosed(&iterator))
                    }
                }
                group.addTask {
                    try await RawTCPPeer.connect(to: address).run { iterator, _ in
                        ("silent", await RawTCPPeer.timeUntilClosed(&iterator))
                    }
                }
                var times: [String: Duration] = [:]
                for try await (name, time) in group { times[name] = time }
                #expect(times["garbage"]! < .milliseconds(2_000), "garbage: \(times)")
                #expect(times["oversized"]! < .milliseconds(2_000), "oversized: \(times)")
                #expect(times["stalled"]! >= .milliseconds(250) && times["stalled"]! < .milliseconds(2_500), "\(times)")
                #expect(times["silent"]! >= .milliseconds(2_900) && times["silent"]! < .seconds(8), "\(times)")
                #expect(times["good"] != nil)
            }
        }
    }

    @Test("a frame trickled a byte at a time is closed once its grace is spent; one sent at the minimum rate crosses")
    func framesMustKeepAMinimumRate() async throws {
        var configuration = Self.fast
        configuration.frameRate = FrameRateRule(grace: .milliseconds(500), minimumBytesPerSecond: 100_000)
        try await withEchoServer(configuration: configuration) { listener in
            let address = listener.localAddress
            try await withThrowingTaskGroup(of: (String, Duration).self) { group in
                group.addTask {
                    try await RawTCPPeer.connect(to: address).run { iterator, outbound in
                        var session = try #require(try await RawTCPPeer.handshake(&iterator, outbound))
                        let frame = try session.sealer.seal([UInt8](repeating: 7, count: 100_000))
                        let clock = ContinuousClock()
                        let start = clock.now
                        // One byte every 50 ms, the trickle a stall timeout never catches.
                        for byte in frame.prefix(200) {
                            guard (try? await outbound.write(ByteBuffer(bytes: [byte]))) != nil else { break }
                            try await Task.sleep(for: .milliseconds(50))
                            if clock.now - start > .seconds(5) { break }
                        }
                        return ("trickle", await RawTCPPeer.timeUntilClosed(&iterator))
                    }
                }
                group.addTask {
                    try await RawTCPPeer.connect(to: address).run { iterator, outbound in
                        var session = try #require(try await RawTCPPeer.handshake(&iterator, outbound))
                        let frame = try session.sealer.seal([UInt8](repeating: 9, count: 200_000))
                        let clock = ContinuousClock()
                        let start = clock.now
                        // About 150 KB/s, above the minimum: 1.3 s for the frame, more than twice the grace.
                        for piece in stride(from: 0, to: frame.count, by: 15_000) {
                            try await outbound.write(ByteBuffer(bytes: frame[piece..<min(piece + 15_000, frame.count)]))
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        var echoed = 0
                        while echoed < frame.count, let buffer = try await iterator.next() { echoed += buffer.readableBytes }
                        #expect(echoed == frame.count, "the slow but steady frame came back whole")
                        return ("steady", clock.now - start)
                    }
                }
                var times: [String: Duration] = [:]
                for try await (name, time) in group { times[name] = time }
                #expect(times["trickle"]! < .milliseconds(2_500), "\(times)")
                #expect(times["steady"]! >= .milliseconds(1_000), "\(times)")
            }
        }
    }
}
