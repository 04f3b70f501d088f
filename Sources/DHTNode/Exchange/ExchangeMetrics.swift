import Exchange
import Kademlia
import Metrics

/// The block exchange's figures as swift-metrics objects (the daemon exports them as Prometheus text on
/// `/metrics`): blocks and bytes each way, fetches started and how they ended, time to first byte, open
/// connections. Updated where the exchange shell meets each event, a counter increment each, never by polling.
final class ExchangeMetrics: Sendable {
    private let blocksSent = Counter(label: "exchange_blocks_total", dimensions: [("direction", "sent")])
    private let blocksReceived = Counter(label: "exchange_blocks_total", dimensions: [("direction", "received")])
    private let bytesSent = Counter(label: "exchange_block_bytes_total", dimensions: [("direction", "sent")])
    private let bytesReceived = Counter(label: "exchange_block_bytes_total", dimensions: [("direction", "received")])
    private let fetchesStarted = Counter(label: "exchange_fetches_started_total")
    private let fetchesCompleted = Counter(label: "exchange_fetches_total", dimensions: [("outcome", "completed")])
    private let fetchesFailed = Counter(label: "exchange_fetches_total", dimensions: [("outcome", "failed")])
    private let fetchesCancelled = Counter(label: "exchange_fetches_total", dimensions: [("outcome", "cancelled")])
    private let timeToFirstByte = Metrics.Timer(
        label: "exchange_fetch_time_to_first_byte_seconds", preferredDisplayUnit: .seconds)
    private let connections = Gauge(label: "exchange_connections")
    /// Of the block bytes received, those that came through a relay.
    private let relayedBytesReceived = Counter(label: "exchange_relayed_block_bytes_total")
    private let relayedLinksReplaced = Counter(label: "exchange_relayed_links_replaced_total")

    func sent(_ message: ExchangeMessage) {
        guard case .block(_, let bytes) = message else { return }
        blocksSent.increment()
        bytesSent.increment(by: bytes.count)
    }

    func received(blockBytes: Int, relayed: Bool = false) {
        blocksReceived.increment()
        bytesReceived.increment(by: blockBytes)
        if relayed { relayedBytesReceived.increment(by: blockBytes) }
    }

    func fetchStarted() { fetchesStarted.increment() }

    /// How a fetch ended, for ``fetchEnded(_:_:)``.
    enum FetchOutcome {
        case completed, failed, cancelled

        init(_ failure: FetchFailure?) {
            switch failure {
            case nil: self = .completed
            case .cancelled?: self = .cancelled
            case _?: self = .failed
            }
        }
    }

    func fetchEnded(_ statistics: FetchStatistics, _ outcome: FetchOutcome) {
        switch outcome {
        case .completed: fetchesCompleted.increment()
        case .cancelled: fetchesCancelled.increment()
        case .failed: fetchesFailed.increment()
        }
        if let ttfb = statistics.timeToFirstByte { timeToFirstByte.recordNanoseconds(ttfb.nanosecondsClamped) }
    }

    func connectionCount(_ count: Int) { connections.record(count) }

    /// A relayed peer's link replaced by a direct connection: `exchange_relayed_links_replaced_total`.
    func movedToDirect() { relayedLinksReplaced.increment() }

    /// A peer the core disconnected (a lying seeder banned, a slow reader cut, one over the peer cap), by reason:
    /// `exchange_peers_disconnected_total{reason}`.
    func disconnected(_ reason: DisconnectReason) {
        Counter(label: "exchange_peers_disconnected_total", dimensions: [("reason", reason.rawValue)]).increment()
    }
}
