import Testing

@testable import Exchange

/// The window a fetch keeps outstanding at one peer: gain × rate × (minimum RTT + slack).
@Suite("Peer window")
struct PeerWindowTests {
    /// A window that measured one block of `byteCount` bytes arriving `latency` after its request.
    static func window(byteCount: Int, latency: Duration, configuration: ExchangeConfiguration) -> PeerWindow {
        var window = PeerWindow()
        let sent = ExchangeInstant(nanoseconds: 1_000_000_000)
        window.sample(
            byteCount: byteCount, sentAt: sent, deliveredAtSend: 0, now: sent + latency, configuration: configuration)
        return window
    }

    @Test func beforeAnyMeasurementTheWindowIsTheInitialOne() {
        let configuration = ExchangeConfiguration()
        #expect(PeerWindow().window(configuration) == configuration.initialWindowBytes)
    }

    /// The default configuration, and the same without slack.
    static let withSlack = ExchangeConfiguration()
    static let withoutSlack = {
        var configuration = ExchangeConfiguration()
        configuration.windowSlack = .zero
        return configuration
    }()

    @Test func theSlackWidensAFastPeersWindowBeyondItsBestCaseRoundTrip() {
        // 256 KiB in 1 ms: 262 MB/s over a best-case round trip of 1 ms.
        let window = Self.window(byteCount: 262_144, latency: .milliseconds(1), configuration: Self.withSlack)
        #expect(abs(window.window(Self.withoutSlack) - 524_288) <= 1, "2 × 262,144,000 B/s × 1 ms")
        #expect(
            abs(window.window(Self.withSlack) - 3_145_728) <= 1, "2 × 262,144,000 B/s × 6 ms: 12 blocks instead of 2")
    }

    @Test func theSlackHardlyChangesASlowPeersWindow() {
        // 256 KiB in 100 ms: 2.6 MB/s (a 20 Mbit/s uplink) over 100 ms.
        let window = Self.window(byteCount: 262_144, latency: .milliseconds(100), configuration: Self.withSlack)
        #expect(abs(window.window(Self.withoutSlack) - 524_288) <= 1)
        #expect(abs(window.window(Self.withSlack) - 550_502) <= 1, "5 % more: 2 × 2,621,440 B/s × 105 ms")
    }

    @Test func aRoundTripMeasuredWithASmallBlockStillCoversALargeBlockOnTheWire() {
        // A 20 Mbit/s seeder: the root (200 B) comes back in 1 ms, then a 256 KiB leaf in 100 ms.
        var window = Self.window(byteCount: 200, latency: .milliseconds(1), configuration: Self.withoutSlack)
        let sent = ExchangeInstant(nanoseconds: 2_000_000_000)
        window.sample(
            byteCount: 262_144,
            sentAt: sent,
            deliveredAtSend: window.delivered,
            now: sent + .milliseconds(100),
            configuration: Self.withoutSlack
        )
        #expect(window.minRTT == .milliseconds(1))
        // 2 × 2,621,440 B/s × 100 ms (the leaf's time on the wire), not × 1 ms (one block, and an idle link
        // between each block and the next request).
        #expect(abs(window.window(Self.withoutSlack) - 524_288) <= 1)
    }

    @Test func theWindowStaysWithinItsBounds() {
        let configuration = ExchangeConfiguration()
        let tiny = Self.window(byteCount: 1_000, latency: .milliseconds(1), configuration: configuration)
        #expect(tiny.window(configuration) == configuration.initialWindowBytes)
        let huge = Self.window(byteCount: 262_144, latency: .microseconds(1), configuration: configuration)
        #expect(huge.window(configuration) == configuration.maxWindowBytes)
    }
}
