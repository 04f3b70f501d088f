import Exchange
import NIOCore

/// What an ``ExchangeNode`` holds for one open connection (or HTTP source): the queue its writer drains and how to
/// end it.
///
/// The queue is an unbounded `AsyncStream`, bounded in practice by the core: block messages only go out while
/// less than ``Exchange/ExchangeConfiguration/maxOutstandingBytesPerPeer`` bytes wait for the peer (the writer
/// reports each written message back), and the other messages are small and capped by wantlist sizes.
struct ExchangePeerLink: Sendable {
    /// Tells this connection from a later one to the same peer.
    let generation: UInt64
    /// Messages for the writer, in directive order.
    let outgoing: AsyncStream<ExchangeMessage>.Continuation
    /// Ends the connection (its reader then stops) or the HTTP source's requests.
    let end: @Sendable () -> Void
    /// Whether the connection runs through a relay (docs/PROTOCOL.md, "Relays"); a direct connection to the same
    /// peer replaces it (``ExchangeNode``, hole punching).
    var relayed = false

    /// Stops the writer and ends the link.
    func close() {
        outgoing.finish()
        end()
    }
}
