/// A fetch's estimate of one peer's path: delivery rate and minimum round trip, and from them the window, in
/// bytes of requested blocks the fetch keeps outstanding at that peer.
///
/// The rate is measured as BBR measures it: each request remembers the bytes delivered by the peer when it was
/// sent; when its block arrives, (delivered now − delivered then) / (now − sent) is one sample; the estimate is the
/// maximum of the last ``ExchangeConfiguration/rateSamples`` samples. The round trip is the minimum of the request
/// latencies, renewed after ``ExchangeConfiguration/minRTTLifetime``.
///
/// Window = ``ExchangeConfiguration/windowGain`` × rate × (round trip + ``ExchangeConfiguration/windowSlack``),
/// from ``ExchangeConfiguration/initialWindowBytes`` up to ``ExchangeConfiguration/maxWindowBytes``, where the round
/// trip is the minimum RTT but no less than the largest block's time on the wire at the rate: a minimum measured
/// with a small block (a DAG's root) leaves out the time a large one takes, and a window of one large block lets
/// the peer's link idle while each next request travels (a 20 Mbit/s seeder that sent the root idled 7 % of a
/// fetch). Below the path's bandwidth-delay product the rate measured is window / RTT, so the window grows by the
/// gain every round trip; once the path is full it settles at gain × BDP.
struct PeerWindow: Sendable {
    /// Recent delivery-rate samples in bytes per second (a ring).
    private var samples: [Double] = []
    private var nextSample = 0
    /// The smallest request latency seen recently, and when.
    private(set) var minRTT: Duration?
    private var minRTTAt = ExchangeInstant.zero
    /// Block bytes this peer delivered to the fetch.
    private(set) var delivered: UInt64 = 0
    /// The largest block this peer delivered, in bytes.
    private(set) var largestBlock = 0
    /// Estimated bytes of the blocks requested from this peer and not yet received.
    var outstandingBytes = 0

    /// The delivery-rate estimate in bytes per second (0 before any sample).
    var rate: Double { samples.max() ?? 0 }

    /// The window in bytes.
    func window(_ configuration: ExchangeConfiguration) -> Int {
        let rate = rate
        guard rate > 0, let minRTT else { return configuration.initialWindowBytes }
        let onTheWire = Double(largestBlock) / rate * 1e9
        let roundTrip = max(Double(minRTT.clampedNanoseconds), onTheWire)
        let rtt = roundTrip + Double(configuration.windowSlack.clampedNanoseconds)
        let bdp = configuration.windowGain * rate * rtt / 1e9
        guard bdp.isFinite else { return configuration.maxWindowBytes }
        return min(configuration.maxWindowBytes, max(configuration.initialWindowBytes, Int(bdp)))
    }

    /// Whether another request fits (at least one always fits into an empty window).
    func hasRoom(_ configuration: ExchangeConfiguration) -> Bool {
        outstandingBytes < window(configuration)
    }

    /// The time the peer should take to deliver `byteCount` bytes asked of it at once: minimum RTT plus those bytes
    /// at the measured rate (`fallback` when nothing was measured yet).
    func expectedLatency(ofBytes byteCount: Int, fallback: Duration) -> Duration {
        guard let minRTT, rate > 0 else { return fallback }
        return minRTT + .nanoseconds(Int64(min(1e15, Double(byteCount) / rate * 1e9)))
    }

    /// Records a block of `byteCount` bytes that arrived at `now` for a request sent at `sentAt`, when the peer
    /// had delivered `deliveredAtSend` bytes.
    mutating func sample(
        byteCount: Int,
        sentAt: ExchangeInstant,
        deliveredAtSend: UInt64,
        now: ExchangeInstant,
        configuration: ExchangeConfiguration
    ) {
        delivered += UInt64(byteCount)
        largestBlock = max(largestBlock, byteCount)
        let latency = now - sentAt
        if latency > .zero {
            if minRTT == nil || latency < minRTT! || now - minRTTAt > configuration.minRTTLifetime {
                minRTT = latency
                minRTTAt = now
            }
            let rate = Double(delivered - deliveredAtSend) / (Double(latency.clampedNanoseconds) / 1e9)
            if samples.count < configuration.rateSamples {
                samples.append(rate)
            } else {
                samples[nextSample] = rate
                nextSample = (nextSample + 1) % samples.count
            }
        }
    }

    /// Counts bytes delivered without a matching request of this peer (no sample).
    mutating func countDelivered(_ byteCount: Int) {
        delivered += UInt64(byteCount)
        largestBlock = max(largestBlock, byteCount)
    }

    /// Forgets the measurements after a stall: the window starts small again.
    mutating func reset() {
        samples = []
        nextSample = 0
        minRTT = nil
    }
}

extension Duration {
    /// This duration in whole nanoseconds, clamped to `Int64`.
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? (seconds < 0 ? .min : .max) : sum
    }
}
