import Kademlia
import Metrics
import NIOCore
import Synchronization

/// The shell around a listener's ``ConnectionBudget``: asks it about each accepted channel, closes the channels it
/// refuses or displaces, and tells it when a channel proves itself or closes. Shared by the channels of one
/// listener (any event loop); one lock around the budget.
///
/// Each refusal and displacement is counted in `dht_connections_refused_total{listener,reason}`, and the pending
/// and open connections are gauges `dht_connections_pending{listener}` and `dht_connections_open{listener}`.
public final class ConnectionAdmission: Sendable {
    /// A pending channel, and the task that closes it at its deadline. Both are dropped as soon as the channel
    /// proves itself or closes: a scheduled task holds its channel (pipeline and buffers) until it runs or is
    /// cancelled, so a churn of short connections would otherwise pile up closed ones until their deadlines.
    private struct PendingChannel {
        let channel: any Channel
        let deadline: Scheduled<Void>
    }

    private struct State: ~Copyable {
        var budget: ConnectionBudget
        var pending: [ConnectionBudget.Ticket: PendingChannel] = [:]
    }

    private let state: Mutex<State>
    private let refusals: [String: Counter]
    private let pendingGauge: Gauge
    private let openGauge: Gauge

    /// An admission for the listener named `listener` in metrics (`exchange`, `gateway`).
    public init(limits: ConnectionLimits, listener: String) {
        self.state = Mutex(State(budget: ConnectionBudget(limits: limits)))
        let reasons = ConnectionBudget.Refusal.allCases.map(\.rawValue)
            + ConnectionBudget.Displacement.allCases.map(\.rawValue) + ["deadline"]
        self.refusals = Dictionary(
            uniqueKeysWithValues: reasons.map {
                ($0, Counter(label: "dht_connections_refused_total", dimensions: [("listener", listener), ("reason", $0)]))
            }
        )
        self.pendingGauge = Gauge(label: "dht_connections_pending", dimensions: [("listener", listener)])
        self.openGauge = Gauge(label: "dht_connections_open", dimensions: [("listener", listener)])
    }

    /// Pending and open connections now.
    public var counts: (pending: Int, open: Int) {
        state.withLock { ($0.budget.pendingCount, $0.budget.openCount) }
    }

    /// Admits `channel` (just accepted) and returns its ticket; `nil` when it was refused, and then it is being
    /// closed. An admitted channel leaves the budget when it closes, and is closed if it has not called
    /// ``established(_:)`` by its deadline.
    public func admit(_ channel: any Channel) -> ConnectionBudget.Ticket? {
        guard let address = channel.remoteAddress.flatMap(NodeAddress.init) else {
            channel.close(promise: nil)
            return nil
        }
        let now = NodeRuntime.now()
        let (admission, displaced, counts) = state.withLock { state in
            let admission = state.budget.admit(ConnectionSource(address.host), now: now)
            var displaced: PendingChannel?
            if case .admitted(let ticket, let deadline, let displacing) = admission {
                // Armed under the lock, so a close or proof that races it always finds the timer to cancel; the
                // task runs later, on the channel's loop.
                let timer = channel.eventLoop.scheduleTask(
                    deadline: .uptimeNanoseconds(UInt64(clamping: deadline.nanoseconds))
                ) { [self] in
                    guard isPending(ticket) else { return }
                    refusals["deadline"]?.increment()
                    channel.close(promise: nil)
                }
                state.pending[ticket] = PendingChannel(channel: channel, deadline: timer)
                if let displacing { displaced = state.pending.removeValue(forKey: displacing.ticket) }
            }
            return (admission, displaced, (state.budget.pendingCount, state.budget.openCount))
        }
        pendingGauge.record(counts.0)
        openGauge.record(counts.1)
        switch admission {
        case .refused(let reason):
            refusals[reason.rawValue]?.increment()
            channel.close(promise: nil)
            return nil
        case .admitted(let ticket, _, let displacing):
            if let displacing {
                refusals[displacing.reason.rawValue]?.increment()
                displaced?.deadline.cancel()
                displaced?.channel.close(promise: nil)
            }
            channel.closeFuture.whenComplete { [self] _ in closed(ticket) }
            return ticket
        }
    }

    /// The channel proved itself: it keeps its connection slot and cannot be displaced or timed out by the budget.
    public func established(_ ticket: ConnectionBudget.Ticket) {
        let (pending, entry) = state.withLock { state in
            state.budget.established(ticket)
            return (state.budget.pendingCount, state.pending.removeValue(forKey: ticket))
        }
        entry?.deadline.cancel()
        pendingGauge.record(pending)
    }

    private func isPending(_ ticket: ConnectionBudget.Ticket) -> Bool {
        state.withLock { $0.budget.isPending(ticket) }
    }

    private func closed(_ ticket: ConnectionBudget.Ticket) {
        let (counts, entry) = state.withLock { state in
            state.budget.closed(ticket)
            return ((state.budget.pendingCount, state.budget.openCount), state.pending.removeValue(forKey: ticket))
        }
        entry?.deadline.cancel()
        pendingGauge.record(counts.0)
        openGauge.record(counts.1)
    }
}
